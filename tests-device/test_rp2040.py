"""The emulated Pico's runner (CPython side): what it adds to rp2040js.

    PICO_BOOTROM_DIR=... pytest tests-device/test_rp2040.py

Files written on the board persist (flash writes are emulated, also across
`machine.reset()`, which restarts the chip), `mpremote romfs deploy` writes
the ROMFS partition of the kit's image, and the kit imports from the image.
Skipped with one line without node/npm, a boot ROM source or the RPI_PICO
image (see docs/testing.md).
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import rp2040_board  # noqa: E402
from vboard_support import tool  # noqa: E402

WHY = rp2040_board.missing()


@unittest.skipIf(WHY is not None, 'emulated Pico: %s' % WHY)
class EmulatedPicoTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix='kit-pico-')
        port_file = os.path.join(cls.tmp, 'port')
        cls.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, 'rp2040_board.py'),
             '--port-file', port_file], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 300
        while not os.path.exists(port_file):
            if cls.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError('the emulated Pico did not start')
            time.sleep(0.1)
        with open(port_file) as f:
            cls.port = f.read().strip()

    @classmethod
    def tearDownClass(cls):
        cls.proc.terminate()
        cls.proc.wait(10)
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def mpremote(self, *args, timeout=120):
        out = subprocess.run([tool('mpremote'), 'connect', self.port] +
                             list(args), capture_output=True, text=True,
                             timeout=timeout)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        return out.stdout

    def test_kit_is_frozen_in_the_image(self):
        out = self.mpremote('exec', 'import sys, microdot, kitboot\n'
                            'print(sys.implementation._machine)')
        self.assertIn('RP2040', out)

    def test_files_persist_across_machine_reset(self):
        self.mpremote('exec', 'f = open("kept.txt", "w")\n'
                      'f.write("still here")\nf.close()')
        # Not `mpremote reset`: it sleeps 100 ms on the board first, and the
        # next connection's Ctrl-C would interrupt that sleep.
        self.mpremote('exec', '--no-follow', 'import machine\nmachine.reset()')
        time.sleep(1)  # the new boot's USB enumeration
        out = self.mpremote('exec', 'import machine\n'
                            'print(open("kept.txt").read(), '
                            'machine.reset_cause() == machine.WDT_RESET)')
        self.assertEqual(out.split(), ['still', 'here', 'True'])

    def test_romfs_deploy(self):
        app = os.path.join(self.tmp, 'romapp')
        os.makedirs(os.path.join(app, 'static'))
        with open(os.path.join(app, 'app.py'), 'w') as f:
            f.write('GREETING = "from the romfs"\n')
        with open(os.path.join(app, 'static', 'a.txt'), 'w') as f:
            f.write('asset\n')
        done = subprocess.run(
            [sys.executable, os.path.join(ROOT, 'tools', 'romfs.py'), app,
             self.port], capture_output=True, text=True, timeout=300)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        out = self.mpremote('exec', 'import os, sys\n'
                            'print(sorted(os.listdir("/rom")))\n'
                            'print(open("/rom/static/a.txt").read())\n'
                            'sys.path.insert(0, "/rom")\nimport app\n'
                            'print(app.GREETING)')
        self.assertIn("['app.mpy', 'static']", out)
        self.assertIn('asset', out)
        self.assertIn('from the romfs', out)


if __name__ == '__main__':
    unittest.main()
