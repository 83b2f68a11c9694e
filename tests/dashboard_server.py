"""Runs examples/dashboard on the MicroPython unix port, for the CPython
tests that drive it with real clients (requests, curl, a browser).

    srv = DashboardServer(upload_dir)   # SkipTest with one line if it can't
    srv.url('/upload') ... srv.stop()
"""
import os
import socket
import subprocess
import sys
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
APP_DIR = os.path.join(ROOT, 'examples', 'dashboard')
MICROPYTHON = os.path.join(os.path.dirname(sys.executable), 'micropython')


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


class DashboardServer:
    """The dashboard app served by a MicroPython process on a free port.

    ``measure=True`` samples the live heap at every write of an upload
    (``/api/files`` reports it as ``last_upload.heap_peak``); ``heap``
    is ``-X heapsize``; ``binary`` another unix port (a frozen image).
    """

    def __init__(self, upload_dir, measure=False, heap=None, binary=None):
        if sys.implementation.name != 'cpython':
            raise unittest.SkipTest('real-client tests run on CPython')
        binary = binary or MICROPYTHON
        if not os.path.exists(binary):
            raise unittest.SkipTest('no MicroPython unix port in the venv')
        self.port = free_port()
        code = ('import app; app.UPLOAD_DIR = %r; app.MEASURE_HEAP = %r; '
                'app.app.run(host="127.0.0.1", port=%d)'
                % (upload_dir, measure, self.port))
        # the app folder first: an image may freeze another `app` (the
        # demo); then the frozen framework, if any, before modules/
        env = dict(os.environ, MICROPYPATH=APP_DIR + ':.frozen:' +
                   os.path.join(ROOT, 'modules'))
        cmd = [binary] + (['-X', 'heapsize=' + heap] if heap else [])
        self.proc = subprocess.Popen(cmd + ['-c', code], env=env,
                                     cwd=APP_DIR, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 15
        while True:
            if self.proc.poll() is not None:
                out = self.proc.stdout.read().decode(errors='replace')
                raise RuntimeError('the dashboard exited: ' + out[-500:])
            try:
                socket.create_connection(('127.0.0.1', self.port),
                                         0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError('the dashboard did not start')
                time.sleep(0.05)

    def url(self, path):
        return 'http://127.0.0.1:%d%s' % (self.port, path)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.proc.stdout.close()


def frozen_image():
    """A frozen unix image with microdot.multipart in it, or None:
    ``FROZEN_MICROPYTHON``, else ``firmware/build/UNIX/micropython``."""
    for path in (os.environ.get('FROZEN_MICROPYTHON'),
                 os.path.join(ROOT, 'firmware', 'build', 'UNIX',
                              'micropython')):
        if path and os.path.exists(path):
            r = subprocess.run([path, '-c', 'import microdot.multipart'],
                               env=dict(os.environ, MICROPYPATH='.frozen'),
                               capture_output=True)
            if r.returncode == 0:
                return path
    return None
