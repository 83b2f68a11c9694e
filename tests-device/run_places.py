"""`make test`: run the one test suite in every place it can run here.

    python tests-device/run_places.py [--only NAME,...] [--list] [-- PYTEST_ARGS]

Places (each is one pytest run and prints one summary line):

  cpython     tests/ on CPython
  harness     the device harness's own tests (tests-device/test_harness.py)
  unix-py     tests/ + live tests on the MicroPython unix port, framework .py
  unix-mpy    the same with the framework as .mpy (mpy-cross bytecode)
  vdevice     the same on the virtual board (unix port behind a pty,
              driven over the raw REPL with mpremote, like a real board)
  unix-lib    tests/ with micropython-lib's own unittest   [MICROPY_DIR]
  unix-frozen tests/ on firmware/build/UNIX/micropython, framework frozen
                                                           [MICROPY_DIR]
  qemu        tests/ on the QEMU board image (Cortex-M3, serial over a pty)
                                                           [MICROPY_DIR]
  pico        tests/ on the RPI_PICO image in the rp2040js emulator (USB
              CDC serial over a pty)       [MICROPY_DIR, PICO_BOOTROM_DIR]
  tools       install and dev-loop checks: pip install, mip install, make
              dev/deploy on the virtual board, what APP= freezes

Places that need a MicroPython checkout say so in one line and are skipped
without one. Exit status 0 only if every place that ran passed.
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BIN = os.path.dirname(os.path.abspath(sys.executable))
BUILD = os.path.join(ROOT, 'build')
SUMMARY = os.path.join(BUILD, 'test-summary.txt')
PLACE_TIMEOUT = 600
# The emulated Pico runs the suite at a fraction of a real board's speed.
PLACE_TIMEOUTS = {'pico': 2400}


def micropy_dir():
    path = os.environ.get('MICROPY_DIR', '')
    if path and os.path.exists(os.path.join(path, 'py', 'mpconfig.h')):
        return path
    sub = os.path.join(ROOT, 'micropython')
    if os.path.exists(os.path.join(sub, 'py', 'mpconfig.h')):
        return sub
    return None


NO_CHECKOUT = ('no MicroPython checkout (set MICROPY_DIR, or `git submodule '
               'update --init micropython`)')


def pytest_argv(*args):
    return [os.path.join(BIN, 'python'), '-m', 'pytest', '-q',
            '-p', 'no:cacheprovider', '--summary-file', SUMMARY] + list(args)


def micropython_bin():
    return os.path.join(BIN, 'micropython')


# -- helpers that bring up a device for a place ------------------------------

class VirtualBoard:
    def __enter__(self):
        import tempfile
        self.port_file = os.path.join(BUILD, 'vdevice.port')
        if os.path.exists(self.port_file):
            os.remove(self.port_file)
        # A filesystem of its own for this run (the tests write files).
        self.fs = tempfile.mkdtemp(prefix='kit-vdevice-fs-')
        self.proc = subprocess.Popen(
            [os.path.join(BIN, 'python'), os.path.join(HERE, 'vdevice.py'),
             '--port-file', self.port_file, '--fs', self.fs],
            stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while not os.path.exists(self.port_file):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError('the virtual board did not start')
            time.sleep(0.05)
        with open(self.port_file) as f:
            return f.read().strip()

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.fs, ignore_errors=True)


class PicoBoard:
    """tests-device/rp2040_board.py: the emulated Pico on a pty."""

    def __init__(self, firmware):
        self.firmware = firmware

    def __enter__(self):
        self.port_file = os.path.join(BUILD, 'rp2040.port')
        if os.path.exists(self.port_file):
            os.remove(self.port_file)
        self.proc = subprocess.Popen(
            [os.path.join(BIN, 'python'), os.path.join(HERE, 'rp2040_board.py'),
             '--firmware', self.firmware, '--port-file', self.port_file],
            stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 300  # first run: npm ci, boot ROM
        while not os.path.exists(self.port_file):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError('the emulated Pico did not start')
            time.sleep(0.2)
        with open(self.port_file) as f:
            return f.read().strip()

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class QemuBoard:
    def __init__(self, elf):
        self.elf = elf

    def __enter__(self):
        self.proc = subprocess.Popen(
            ['qemu-system-arm', '-machine', 'mps2-an385', '-nographic',
             '-monitor', 'null', '-semihosting', '-serial', 'pty',
             '-kernel', self.elf], stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True)
        line = self.proc.stdout.readline()
        match = re.search(r'(/dev/pts/\d+)', line)
        if not match:
            self.__exit__()
            raise RuntimeError('qemu gave no serial port: %r' % line)
        return match.group(1)

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _newest(paths):
    newest = 0
    for top in paths:
        for root, _dirs, files in os.walk(top):
            for name in files:
                if name.endswith('.py'):
                    newest = max(newest, os.path.getmtime(
                        os.path.join(root, name)))
    return newest


def fresh_image(board, artifact):
    """The built image, rebuilt first (make BOARD=...) if the framework,
    firmware or board sources are newer. None if never built."""
    image = os.path.join(ROOT, 'firmware', 'build', board, artifact)
    if not os.path.exists(image):
        return None, 'firmware/build/%s/%s not built (make BOARD=%s)' % (
            board, artifact, board)
    sources = [os.path.join(ROOT, d) for d in
               ('modules', 'firmware', os.path.join('boards', board))]
    newest = max(_newest(sources),
                 os.path.getmtime(os.path.join(ROOT, 'manifest.py'))
                 if os.path.exists(os.path.join(ROOT, 'manifest.py')) else 0)
    if newest > os.path.getmtime(image):
        print('%s image is older than its sources: make BOARD=%s' % (
            board, board), flush=True)
        done = subprocess.run(['make', '-s', 'BOARD=' + board], cwd=ROOT)
        if done.returncode != 0:
            raise RuntimeError('rebuilding the %s image failed' % board)
    return image, None


# -- the places ----------------------------------------------------------------

def place_cpython(extra):
    return pytest_argv(*extra), None


def place_harness(extra):
    return pytest_argv(os.path.join('tests-device', 'test_harness.py'),
                       '--place=device harness self-tests (CPython %s)' %
                       sys.version.split()[0], *extra), None


def place_unix_py(extra):
    return pytest_argv('--device=unix', '--framework=py',
                       '--micropython=' + micropython_bin(), *extra), None


def place_unix_mpy(extra):
    return pytest_argv('--device=unix', '--framework=mpy',
                       '--micropython=' + micropython_bin(), *extra), None


def place_vdevice(extra):
    board = VirtualBoard()

    def argv(port):
        return pytest_argv('--device=' + port, '--framework=mpy',
                           '--place=MicroPython virtual board %s (.mpy, '
                           'over serial)' % port, *extra)
    return argv, board


def place_unix_lib(extra):
    micropy = micropy_dir()
    if not micropy:
        return None, NO_CHECKOUT
    lib = os.path.join(micropy, 'lib', 'micropython-lib', 'python-stdlib',
                       'unittest')
    if not os.path.isdir(os.path.join(lib, 'unittest')):
        return None, ('%s has no lib/micropython-lib (git submodule update '
                      '--init lib/micropython-lib in it)' % micropy)
    return pytest_argv('--device=unix', '--unittest-lib=' + lib,
                       '--micropython=' + micropython_bin(),
                       os.path.join('tests'), *extra), None


def place_unix_frozen(extra):
    if not micropy_dir():
        return None, NO_CHECKOUT
    image, why = fresh_image('UNIX', 'micropython')
    if image is None:
        return None, why
    return pytest_argv('--device=unix', '--micropython=' + image,
                       '--place=MicroPython frozen UNIX image', *extra), None


def place_qemu(extra):
    if not micropy_dir():
        return None, NO_CHECKOUT
    if not shutil.which('qemu-system-arm'):
        return None, 'qemu-system-arm missing (apt-get install qemu-system-arm)'
    image, why = fresh_image('QEMU', 'firmware.elf')
    if image is None:
        return None, why
    board = QemuBoard(image)

    def argv(port):
        return pytest_argv('--device=' + port, '--device-timeout=120',
                           '--place=MicroPython QEMU image %s (mps2-an385, '
                           'over serial)' % port, *extra)
    return argv, board


def place_pico(extra):
    if not micropy_dir():
        return None, NO_CHECKOUT
    sys.path.insert(0, HERE)
    import rp2040_board
    sys.path.pop(0)
    image = os.path.join(ROOT, 'firmware', 'build', 'RPI_PICO',
                         'firmware.bin')
    why = rp2040_board.missing(image)
    if why and 'not built' not in why:
        return None, why
    image, why = fresh_image('RPI_PICO', 'firmware.bin')
    if image is None:
        return None, why
    board = PicoBoard(image)

    def argv(port):
        return pytest_argv('--device=' + port, '--device-timeout=180',
                           '--place=MicroPython RPI_PICO image in rp2040js '
                           '%s (USB CDC over a pty)' % port, *extra)
    return argv, board


def place_tools(extra):
    return pytest_argv(*[os.path.join('tests-device', name) for name in (
        'test_install.py', 'test_mpy_bundle.py', 'test_devloop.py',
        'test_firmware_app.py', 'test_rp2040.py')],
        '--place=install and dev-loop checks (CPython %s)'
        % sys.version.split()[0], *extra), None


PLACES = [
    ('cpython', 'CPython', place_cpython),
    ('harness', 'device harness self-tests', place_harness),
    ('unix-py', 'MicroPython unix port (.py)', place_unix_py),
    ('unix-mpy', 'MicroPython unix port (.mpy)', place_unix_mpy),
    ('vdevice', 'MicroPython virtual board', place_vdevice),
    ('unix-lib', 'MicroPython unix port (micropython-lib unittest)',
     place_unix_lib),
    ('unix-frozen', 'MicroPython frozen UNIX image', place_unix_frozen),
    ('qemu', 'MicroPython QEMU image', place_qemu),
    ('pico', 'MicroPython RPI_PICO image (rp2040js)', place_pico),
    ('tools', 'install and dev-loop checks', place_tools),
]


def _last_summary(before):
    try:
        with open(SUMMARY) as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    return lines[-1] if len(lines) > before else None


def _summary_count():
    try:
        with open(SUMMARY) as f:
            return len(f.read().splitlines())
    except OSError:
        return 0


def run_place(name, label, make, extra):
    """Returns (summary line, passed?)."""
    try:
        argv, device = make(extra)
    except RuntimeError as exc:
        return '%s: FAILED (%s)' % (label, exc), False
    if argv is None:
        line = '%s: skipped: %s' % (label, device)
        print('\n== %s ==\n%s' % (label, line), flush=True)
        return line, True
    print('\n== %s ==' % label, flush=True)
    before = _summary_count()
    start = time.monotonic()
    try:
        if device is not None:
            with device as port:
                code = _run(argv(port), PLACE_TIMEOUTS.get(name))
        else:
            code = _run(argv, PLACE_TIMEOUTS.get(name))
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        return '%s: FAILED (%s)' % (label, exc), False
    line = _last_summary(before)
    ok = code == 0
    if line is None:
        line = '%s: FAILED (pytest exit status %d, no summary) (%.1f s)' % (
            label, code, time.monotonic() - start)
    elif not ok and 'exit status' not in line and ' 0 failed' in line:
        line += ' [pytest exit status %d]' % code
    return line, ok


def _run(argv, timeout=None):
    timeout = timeout or PLACE_TIMEOUT
    proc = subprocess.Popen(argv, cwd=ROOT)
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        raise RuntimeError('took longer than %d s' % timeout)


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    extra = []
    if '--' in argv:
        extra = argv[argv.index('--') + 1:]
        argv = argv[:argv.index('--')]
    parser = argparse.ArgumentParser(
        description='Run tests/ in every place it can run here.')
    parser.add_argument('--only', help='comma-separated place names')
    parser.add_argument('--list', action='store_true',
                        help='list the places and exit')
    opts = parser.parse_args(argv)
    if opts.list:
        for name, label, _make in PLACES:
            print('%-12s %s' % (name, label))
        return 0
    wanted = [p for p in PLACES
              if not opts.only or p[0] in opts.only.split(',')]
    unknown = set((opts.only or '').split(',')) - {p[0] for p in PLACES} - {''}
    if unknown:
        parser.error('unknown place(s): %s (see --list)' % ', '.join(
            sorted(unknown)))
    if not os.path.exists(micropython_bin()):
        print('MicroPython unix port missing at %s: run `make venv`' %
              micropython_bin())
        return 1
    os.makedirs(BUILD, exist_ok=True)
    if os.path.exists(SUMMARY):
        os.remove(SUMMARY)
    start = time.monotonic()
    results = []
    for name, label, make in wanted:
        results.append(run_place(name, label, make, extra))
    minutes, seconds = divmod(int(time.monotonic() - start), 60)
    print('\n== make test: one line per place ==')
    for line, _ok in results:
        print(line)
    failed = [line for line, ok in results if not ok]
    if failed:
        print('%d place(s) FAILED (%dm%02ds)' % (len(failed), minutes,
                                                  seconds))
        return 1
    print('every place passed (%dm%02ds)' % (minutes, seconds))
    return 0


if __name__ == '__main__':
    sys.exit(main())
