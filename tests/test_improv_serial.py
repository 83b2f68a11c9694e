"""Improv Wi-Fi end to end: our host-side client (tools/improv_client.py)
talks to the boot in setup mode on the MicroPython unix port over its
stdin/stdout (the console, as on a board's USB serial port), with the boot's
log lines in between. CPython only: it starts `.venv/bin/micropython`."""
import os
import sys
import unittest

try:
    import select
    import subprocess
except ImportError:  # MicroPython
    subprocess = None

if subprocess is not None:
    from test_captive_unix import Runner, micropython, REPO
    sys.path.insert(0, os.path.join(REPO, 'tools'))
    import improv_client


class PipePort:
    """The runner's stdin/stdout as a serial port (pyserial's read/write)."""

    def __init__(self, proc, timeout=0.2):
        self.proc = proc
        self.timeout = timeout

    def read(self, n):
        fd = self.proc.stdout.fileno()
        ready, _w, _x = select.select([fd], [], [], self.timeout)
        return os.read(fd, n) if ready else b''

    def write(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()


@unittest.skipIf(subprocess is None, 'starts the unix port from CPython')
class ImprovSerialTest(unittest.TestCase):
    def setUp(self):
        if micropython() is None:
            self.skipTest('no .venv/bin/micropython')
        import tempfile
        self.tmp = tempfile.mkdtemp(prefix='kit-improv-')
        self.runner = Runner(self.tmp, improv=True, hostname='lamp')
        self.client = improv_client.ImprovClient(PipePort(self.runner.proc),
                                                 timeout=10)

    def tearDown(self):
        self.runner.stop()
        import shutil
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_state_info_scan_hostname(self):
        c = self.client
        self.assertEqual(c.get_state(), 'ready')
        info = c.device_info()
        self.assertEqual(info[0], 'Microdot kit')
        self.assertEqual(info[3], 'lamp')
        self.assertEqual(info[4], 'micropython')
        self.assertEqual(c.scan(), [('home', -40, True), ('cafe', -60, False),
                                    ('weak', -90, True)])
        self.assertEqual(c.hostname(), 'lamp')
        self.assertEqual(c.hostname('desk'), 'desk')
        with self.assertRaises(improv_client.ImprovError) as caught:
            c.hostname('not valid')
        self.assertIn('bad hostname', str(caught.exception))
        self.assertIn(b'kitboot: setup: join Wi-Fi', c.console)

    def test_provision_wrong_then_right(self):
        c = self.client
        with self.assertRaises(improv_client.ImprovError) as caught:
            c.provision('home', 'nope', timeout=15)
        self.assertIn('unable to connect', str(caught.exception))
        self.assertEqual(c.get_state(), 'ready')
        url = c.provision('home', 'secret12', timeout=15)
        self.assertEqual(url, 'http://10.0.0.42:%d/' % self.runner.app_port)
        self.assertEqual(c.state, 'provisioned')
        # setup mode ended: the app itself now serves
        self.runner.wait_port(self.runner.app_port)
        status, _h, body = self.runner.request(
            'GET', '/', host='10.0.0.42', port=self.runner.app_port)
        self.assertEqual(status, 200)
        with open(os.path.join(self.tmp, 'config.json')) as f:
            self.assertIn('"secret12"', f.read())

    def test_ctrl_c_still_stops_the_boot(self):
        self.assertEqual(self.client.get_state(), 'ready')
        self.runner.proc.stdin.write(b'\x03')
        self.runner.proc.stdin.flush()
        self.runner.proc.wait(10)
        self.assertIn('@@done stopped', self.runner.stop())


if __name__ == '__main__':
    unittest.main()
