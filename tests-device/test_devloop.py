"""The dev loop on the default virtual board (CPython side):

    pytest tests-device/test_devloop.py

The kit (kitboot, microdot) imports on a fresh `make vdevice` board, the
documented `mpremote mount` loop runs an app folder, Ctrl-C stops a server
started by `make dev` (tools/devloop.py) and leaves the board usable, and
`make deploy` (tools/deploy.py) writes to the board's filesystem, never
into the repository.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from vboard_support import VBoard, free_port  # noqa: E402

APP = '''from microdot import Microdot

app = Microdot()


@app.get('/')
async def index(request):
    return 'dev loop app'
'''


def get(port, path='/'):
    """The body of an HTTP/1.0 GET, or None when nothing answers."""
    try:
        s = socket.create_connection(('127.0.0.1', port), 2)
    except OSError:
        return None
    try:
        s.settimeout(5)
        s.sendall(b'GET %s HTTP/1.0\r\n\r\n' % path.encode())
        data = b''
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        return data.split(b'\r\n\r\n', 1)[-1].decode()
    except OSError:
        return None
    finally:
        s.close()


class DevLoopTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.board = VBoard().__enter__()
        cls.app_dir = tempfile.mkdtemp(prefix='kit-app-')
        cls.http_port = free_port()
        with open(os.path.join(cls.app_dir, 'app.py'), 'w') as f:
            f.write(APP)
        with open(os.path.join(cls.app_dir, 'config.json'), 'w') as f:
            json.dump({'port': cls.http_port}, f)
        os.makedirs(os.path.join(cls.app_dir, 'static'))
        with open(os.path.join(cls.app_dir, 'static', 'hello.txt'), 'w') as f:
            f.write('static file\n')

    @classmethod
    def tearDownClass(cls):
        cls.board.__exit__()
        shutil.rmtree(cls.app_dir, ignore_errors=True)

    def test_kit_imports_on_a_fresh_board(self):
        out = self.board.mpremote(
            'exec', 'import kitboot, microdot; print("kit", '
            'microdot.__version__)')
        self.assertEqual(out.returncode, 0, out.stderr + out.stdout)
        self.assertIn('kit ', out.stdout)

    def test_mount_loop_runs_the_folder(self):
        # docs/firmware.md's loop, stopped before serving: the app and the
        # boot code both come in through the mount and the image.
        out = self.board.mpremote(
            'mount', self.app_dir, 'exec',
            'import os, kitboot, app; print("app", app.app.__class__.__name__,'
            ' os.getcwd(), open("static/hello.txt").read().strip())')
        self.assertEqual(out.returncode, 0, out.stderr + out.stdout)
        self.assertIn('app Microdot /remote static file', out.stdout)

    def test_ctrl_c_stops_the_server(self):
        loop = subprocess.Popen(
            [sys.executable, os.path.join(ROOT, 'tools', 'devloop.py'),
             self.app_dir, self.board.port], stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True)
        try:
            lines = []
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                line = loop.stdout.readline()
                if not line:
                    break
                lines.append(line)
                if 'serving on' in line:
                    break
            self.assertIn('serving on', ''.join(lines))
            deadline = time.monotonic() + 10
            body = get(self.http_port)
            while body is None and time.monotonic() < deadline:
                time.sleep(0.2)
                body = get(self.http_port)
            self.assertEqual(body, 'dev loop app', ''.join(lines))
            loop.send_signal(signal.SIGINT)  # the terminal's Ctrl-C
            rest, _ = loop.communicate(timeout=30)
        finally:
            if loop.poll() is None:
                loop.kill()
                loop.wait()
        output = ''.join(lines) + rest
        self.assertEqual(loop.returncode, 0, output)
        self.assertIn('kitboot: stopped', output)
        self.assertIsNone(get(self.http_port), 'still serving after Ctrl-C')
        # The board answers the next tool straight away (not wedged).
        out = self.board.mpremote('exec', 'print(6 * 7)', timeout=20)
        self.assertEqual(out.stdout.strip(), '42', out.stderr)

    def test_deploy_writes_to_the_board_not_the_repo(self):
        before = os.path.exists(os.path.join(ROOT, 'app'))
        out = subprocess.run(
            [sys.executable, os.path.join(ROOT, 'tools', 'deploy.py'),
             self.app_dir, self.board.port, '--no-reset',
             '--framework', 'none'], capture_output=True, text=True,
            timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr + out.stdout)
        with open(os.path.join(self.board.fs, 'app', 'app.py')) as f:
            self.assertEqual(f.read(), APP)
        self.assertTrue(os.path.exists(os.path.join(
            self.board.fs, 'app', 'static', 'hello.txt')))
        self.assertEqual(os.path.exists(os.path.join(ROOT, 'app')), before)


if __name__ == '__main__':
    unittest.main()


class MakeRunTest(unittest.TestCase):
    """`make run [APP=...]` (tools/run_demo.py)."""

    def setUp(self):
        import importlib.util
        spec = importlib.util.spec_from_file_location(
            '_kit_run_demo', os.path.join(ROOT, 'tools', 'run_demo.py'))
        self.run_demo = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(self.run_demo)
        self.tmp = tempfile.mkdtemp(prefix='kit-run-')
        self.run_demo.FROZEN = os.path.join(self.tmp, 'micropython')
        with open(self.run_demo.FROZEN, 'w') as f:
            f.write('')
        self.run_demo.micropy_dir = lambda: None  # never rebuild here

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def choose(self):
        import contextlib
        import io
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            binary = self.run_demo.choose()[0]
        return binary, out.getvalue()

    def test_a_stale_frozen_image_is_not_used_silently(self):
        os.utime(self.run_demo.FROZEN, (1, 1))
        binary, said = self.choose()
        self.assertEqual(binary, self.run_demo.VENV_MP)
        self.assertIn('older than', said)

    def test_a_fresh_frozen_image_is_used(self):
        future = time.time() + 3600
        os.utime(self.run_demo.FROZEN, (future, future))
        binary, said = self.choose()
        self.assertEqual(binary, self.run_demo.FROZEN)
        self.assertEqual(said, '')

    def test_app_folder_is_served(self):
        app = os.path.join(self.tmp, 'app')
        os.makedirs(app)
        with open(os.path.join(app, 'app.py'), 'w') as f:
            f.write(APP)
        port = free_port()
        proc = subprocess.Popen(
            [sys.executable, os.path.join(ROOT, 'tools', 'run_demo.py'),
             '--app', app, '--port', str(port), '--no-frozen'],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            line = proc.stdout.readline()
            while line and 'Serving' not in line:
                line = proc.stdout.readline()
            self.assertIn('Serving %s' % app, line)
            self.assertEqual(get(port), 'dev loop app')
        finally:
            proc.terminate()
            proc.wait(10)
        # stopping run_demo.py stops the app it started
        deadline = time.monotonic() + 5
        while True:
            try:
                socket.create_connection(('127.0.0.1', port), 0.5).close()
            except OSError:
                break
            self.assertLess(time.monotonic(), deadline,
                            'the app still serves after run_demo.py stopped')
            time.sleep(0.1)
