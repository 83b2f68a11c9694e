"""A virtual board for the install and dev-loop checks (CPython side).

    with VBoard() as board:        # tests-device/vdevice.py in a process
        board.port                 # /dev/pts/N
        board.fs                   # its filesystem, a temporary folder
        board.mpremote('exec', 'print(1)')   # CompletedProcess, text
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BIN = os.path.dirname(os.path.abspath(sys.executable))


def tool(name):
    """A tool of the venv running the tests, or of the repository's .venv."""
    for path in (os.path.join(BIN, name),
                 os.path.join(ROOT, '.venv', 'bin', name)):
        if os.path.exists(path):
            return path
    return shutil.which(name)


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


class VBoard:
    def __init__(self, micropython=None):
        self.micropython = micropython

    def __enter__(self):
        self.tmp = tempfile.mkdtemp(prefix='kit-vboard-')
        self.fs = os.path.join(self.tmp, 'fs')
        port_file = os.path.join(self.tmp, 'port')
        argv = [sys.executable, os.path.join(HERE, 'vdevice.py'),
                '--port-file', port_file, '--fs', self.fs]
        if self.micropython:
            argv += ['--micropython', self.micropython]
        env = dict(os.environ)
        env.pop('MICROPYPATH', None)
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL,
                                     env=env)
        deadline = time.monotonic() + 15
        while not os.path.exists(port_file):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.__exit__()
                raise RuntimeError('the virtual board did not start')
            time.sleep(0.05)
        with open(port_file) as f:
            self.port = f.read().strip()
        return self

    def mpremote(self, *args, timeout=60):
        return subprocess.run([tool('mpremote'), 'connect', self.port] +
                              list(args), capture_output=True, text=True,
                              timeout=timeout, cwd=self.tmp)

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)
