"""Servers for the CPython-only real-client and browser tests: an app run
by CPython or by the MicroPython unix port in a subprocess on a free
loopback port."""
import os
import socket
import subprocess
import sys
import time
import unittest

TESTS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TESTS)
MICROPYTHON = os.path.join(ROOT, '.venv', 'bin', 'micropython')


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


class ServerProcess:
    """``code`` (Python source that serves on the port in ``PORT``) run by
    ``runtime`` ('cpython' or 'micropython') with ``path`` dirs importable."""

    def __init__(self, runtime, code, path, heap='16m'):
        self.port = free_port()
        code = 'PORT = %d\n' % self.port + code
        dirs = [os.path.join(ROOT, 'modules')] + list(path)
        env = dict(os.environ)
        if runtime == 'micropython':
            if not os.path.exists(MICROPYTHON):
                raise unittest.SkipTest('no MicroPython unix port in .venv')
            env['MICROPYPATH'] = ':'.join(['.frozen'] + dirs)
            cmd = [MICROPYTHON, '-X', 'heapsize=' + heap, '-c', code]
        else:
            env['PYTHONPATH'] = ':'.join(dirs)
            cmd = [sys.executable, '-c', code]
        self.proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError('server exited: %s' %
                                   self.proc.stdout.read().decode()[-2000:])
            try:
                socket.create_connection(('127.0.0.1', self.port), 0.2) \
                    .close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError('server did not start on %d' % self.port)

    def url(self, path, scheme='http'):
        return '%s://127.0.0.1:%d%s' % (scheme, self.port, path)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(5)
        self.proc.stdout.close()


def serve_module(runtime, module, directory, setup=''):
    """Serve ``module.app`` from ``directory`` (``setup``: code run after
    the import, e.g. to shorten a timer)."""
    code = ('import %s as m\n%s\nm.app.run(host="127.0.0.1", port=PORT)\n'
            % (module, setup))
    return ServerProcess(runtime, code, [directory])
