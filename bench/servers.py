"""Runtimes, sides and the server processes the driver starts and watches."""
import os
import platform
import socket
import subprocess
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
UPSTREAM = os.path.join(BENCH, '.upstream')
UPSTREAM_MPY = os.path.join(UPSTREAM, 'mpy')
OURS_PY = os.path.join(ROOT, 'modules')
OURS_MPY = os.path.join(ROOT, 'build', 'mpy')
VENV_BIN = os.path.join(ROOT, '.venv', 'bin')
FROZEN_BIN = os.path.join(ROOT, 'firmware', 'build', 'UNIX', 'micropython')
LOG_DIR = os.path.join(BENCH, 'results', 'logs.tmp')
CLK_TCK = os.sysconf('SC_CLK_TCK')


class Runtime:
    """An interpreter that can run server.py.

    `loads` maps a load mode ('py', 'mpy', 'frozen') to the sys.path folders
    each side needs for it; `speed_load` is the mode used under load.
    """

    def __init__(self, name, label, cmd, micropython, loads, speed_load):
        self.name = name
        self.label = label
        self.cmd = cmd
        self.micropython = micropython
        self.loads = loads
        self.speed_load = speed_load

    def argv(self, script_args, heap_kb=None):
        cmd = list(self.cmd)
        if self.micropython and heap_kb:
            cmd += ['-X', 'heapsize=%dk' % heap_kb]
        return cmd + script_args

    def env(self):
        env = dict(os.environ)
        if self.micropython:
            # Only the runtime's own frozen modules plus what we put on
            # sys.path: nothing from ~/.micropython/lib sneaks in.
            env['MICROPYPATH'] = '.frozen'
        return env

    def version(self):
        code = ('import sys; print(sys.implementation.name, '
                '".".join(str(v) for v in sys.implementation.version[:3]), '
                'sys.version.split(";")[0].split()[0])')
        out = subprocess.run(self.cmd + ['-c', code], capture_output=True,
                             text=True, env=self.env(), timeout=30)
        return out.stdout.strip()


def discover():
    """The runtimes present on this machine, in report order."""
    found = []
    mp = os.path.join(VENV_BIN, 'micropython')
    if os.path.exists(mp):
        found.append(Runtime(
            'mp', 'MicroPython unix (PyPI)', [mp], True,
            {'py': {'ours': [OURS_PY], 'upstream': [UPSTREAM]},
             'mpy': {'ours': [OURS_MPY], 'upstream': [UPSTREAM_MPY]}},
            'mpy'))
    if os.path.exists(FROZEN_BIN):
        found.append(Runtime(
            'mp-frozen', 'MicroPython unix (ours frozen)', [FROZEN_BIN], True,
            {'frozen': {'ours': [], 'upstream': [UPSTREAM_MPY]},
             'mpy': {'ours': [OURS_MPY], 'upstream': [UPSTREAM_MPY]}},
            'frozen'))
    py = os.path.join(VENV_BIN, 'python')
    found.append(Runtime(
        'cpython', 'CPython %s' % platform.python_version(), [py, '-u'],
        False, {'py': {'ours': [OURS_PY], 'upstream': [UPSTREAM]}}, 'py'))
    return found


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class ServerError(Exception):
    pass


class Server:
    """One server.py process serving one side on one runtime."""

    def __init__(self, runtime, side, paths, port=None, heap_kb=None,
                 probe=False, nogc=False, tag=''):
        self.runtime = runtime
        self.side = side
        self.port = port or free_port()
        self.probe_port = free_port() if probe else None
        args = [os.path.join(BENCH, 'server.py'), side, str(self.port)]
        for p in paths:
            args += ['--path', p]
        if probe:
            args += ['--probe', str(self.probe_port)]
        if nogc:
            args.append('--nogc')
        self.argv = runtime.argv(args, heap_kb)
        os.makedirs(LOG_DIR, exist_ok=True)
        self.log_path = os.path.join(LOG_DIR, '%s-%s%s.log' % (
            runtime.name, side, tag))
        self.proc = None

    def start(self, timeout=30.0):
        self.log = open(self.log_path, 'w')
        self.proc = subprocess.Popen(self.argv, cwd=BENCH, stdout=self.log,
                                     stderr=subprocess.STDOUT,
                                     env=self.runtime.env())
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ServerError('%s server exited (%s): %s' % (
                    self.side, self.proc.returncode, self.log_tail()))
            try:
                socket.create_connection(('127.0.0.1', self.port),
                                         timeout=1).close()
                if self.probe_port:
                    socket.create_connection(('127.0.0.1', self.probe_port),
                                             timeout=1).close()
                return self
            except OSError:
                time.sleep(0.02)
        self.stop()
        raise ServerError('%s server did not listen within %ss: %s' % (
            self.side, timeout, self.log_tail()))

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def module_file(self):
        """The framework file the server printed it imported."""
        with open(self.log_path) as f:
            first = f.readline().split(None, 1)
        return first[1].strip() if len(first) == 2 else ''

    def log_tail(self, n=400):
        try:
            with open(self.log_path) as f:
                return f.read()[-n:].strip().replace('\n', ' | ')
        except OSError:
            return ''

    def cpu_seconds(self):
        """User + system CPU time of the server process so far."""
        with open('/proc/%d/stat' % self.proc.pid) as f:
            fields = f.read().rsplit(')', 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK

    def peak_rss_kb(self):
        with open('/proc/%d/status' % self.proc.pid) as f:
            for line in f:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1])
        return None

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc is not None:
            self.log.close()
