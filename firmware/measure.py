"""Heap free after boot with the whole framework imported: frozen into the
image, loaded from .mpy (build/mpy, as mpy-cross makes them) and from .py.

    python3 firmware/measure.py unix IMAGE [--heapsize 140k]
    python3 firmware/measure.py serial PORT     (a board or the qemu pty)
    python3 firmware/measure.py setup unix IMAGE [--heapsize 140k]
    python3 firmware/measure.py setup serial PORT

Each figure comes from a fresh interpreter: gc.collect() then gc.mem_free()
at the start, then again after importing microdot and every module of the
package. Prints one line per variant and a Markdown table row set.

``setup`` measures the setup mode instead (access point, captive portal,
Improv): the heap taken by the boot modules (kitboot, kitconfig, kitwifi,
kitsetup, kitdns, kitimprov) on top of the core framework, then by the
running setup objects (the setup app, the DNS server's socket, Improv),
and what is free again once setup mode is left (its modules dropped), with
a stand-in ``network`` module where the port has no radio. Frozen figures
need an image with the boot modules frozen; otherwise that row says so.
"""
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
MODULES_DIR = os.path.join(REPO, 'modules')
MPY_DIR = os.path.join(REPO, 'build', 'mpy')


def framework_modules():
    names = ['microdot']
    for name in sorted(os.listdir(os.path.join(MODULES_DIR, 'microdot'))):
        if name.endswith('.py') and name != '__init__.py':
            names.append('microdot.' + name[:-3])
    return names


def program(front=None):
    """Device code: measure, import everything, measure again."""
    lines = ['import gc, sys']
    if front:
        lines.append('sys.path.insert(0, %r)' % front)
    lines += [
        'gc.collect()',
        'base = gc.mem_free()',
        'failed = []',
        'for name in %r:' % (framework_modules(),),
        '    try:',
        '        __import__(name)',
        '    except Exception as exc:',
        '        failed.append(name + " (" + repr(exc) + ")")',
        'm = sys.modules["microdot"]',
        'where = getattr(m, "__file__", "?")',
        'gc.collect()',
        'print("@@measure", base, gc.mem_free(), gc.mem_free() + '
        'gc.mem_alloc(), where)',
        'print("@@failed", "; ".join(failed))',
    ]
    return '\n'.join(lines) + '\n'


def parse(out):
    m = re.search(r'@@measure (\d+) (\d+) (\d+) (\S+)', out)
    if not m:
        raise SystemExit('measure: no result from the device:\n' + out)
    failed = re.search(r'@@failed ?(.*)', out).group(1).strip()
    return {'boot_free': int(m.group(1)), 'free': int(m.group(2)),
            'heap': int(m.group(3)), 'file': m.group(4), 'failed': failed}


def ensure_mpy():
    subprocess.check_call([sys.executable,
                           os.path.join(REPO, 'tools', 'mpy_compile.py'),
                           MODULES_DIR, MPY_DIR])


def measure_unix(image, heapsize=None):
    argv = [os.path.abspath(image)]
    if heapsize:
        argv += ['-X', 'heapsize=' + heapsize]
    work = tempfile.mkdtemp(prefix='measure-')  # nothing importable in cwd
    results = {}
    for label, front in (('frozen', None), ('.mpy', MPY_DIR),
                         ('.py', MODULES_DIR)):
        out = subprocess.run(argv + ['-c', program(front)], cwd=work,
                             capture_output=True, text=True, timeout=60)
        results[label] = parse(out.stdout + out.stderr)
    os.rmdir(work)
    return results


def measure_serial(port):
    mpremote = os.path.join(REPO, '.venv', 'bin', 'mpremote')
    results = {}
    for label, local in (('frozen', None), ('.mpy', MPY_DIR),
                         ('.py', MODULES_DIR)):
        cmd = [mpremote, 'connect', port]
        if local:
            # The host folder appears at /remote; modules load over serial.
            cmd += ['mount', '-l', local]
        cmd += ['exec', program('/remote' if local else None)]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        results[label] = parse(out.stdout + out.stderr)
    return results


def report(place, results):
    for label in ('frozen', '.mpy', '.py'):
        r = results[label]
        print('%s %-6s heap %7d  free at start %7d  free with framework '
              '%7d  (framework uses %6d)  microdot from %s%s' % (
                  place, label, r['heap'], r['boot_free'], r['free'],
                  r['boot_free'] - r['free'], r['file'],
                  ('  FAILED: ' + r['failed']) if r['failed'] else ''))
    print()
    print('| %s | heap | free at start | frozen | .mpy | .py |' % place)
    print('| --- | ---: | ---: | ---: | ---: | ---: |')
    f = results['frozen']
    print('| free after importing the framework | %d | %d | %d | %d | %d |'
          % (f['heap'], f['boot_free'], f['free'], results['.mpy']['free'],
             results['.py']['free']))


SETUP_MODULES = ('kitconfig', 'kitwifi', 'kitsetup', 'kitdns', 'kitimprov',
                 'kitboot')
FIRMWARE_MPY_DIR = os.path.join(REPO, 'build', 'mpy-firmware')

# Device code for `setup`: a stand-in network module, then the setup mode's
# objects as kitboot.run_setup() makes them (without serving).
_SETUP_PROGRAM = """
import gc, sys
%(path)s
gc.collect()
base = gc.mem_free()
import microdot
gc.collect()
core = gc.mem_free()
for name in %(modules)r:
    __import__(name)
kitconfig = sys.modules['kitconfig']
kitwifi = sys.modules['kitwifi']
gc.collect()
mods = gc.mem_free()
try:
    import network
    if not hasattr(network, 'WLAN'):
        raise ImportError
except ImportError:
    class _W:
        def __init__(self, i):
            self.i = i
            self.on = False
        def active(self, v=None):
            if v is None:
                return self.on
            self.on = v
        def config(self, *a, **k):
            if a:
                return b'\\x02\\x00\\x00\\x00\\xab\\xcd'
        def ifconfig(self):
            return ('192.168.4.1', '255.255.255.0', '192.168.4.1', '0.0.0.0')
        def scan(self):
            return [(b'net%%d' %% i, b'', 1, -40 - i, 3, 0) for i in range(8)]
    class network:
        STA_IF = 0
        AP_IF = 1
        _w = {}
        @classmethod
        def WLAN(cls, i):
            return cls._w.setdefault(i, _W(i))
cfg = kitconfig.defaults()
wifi = kitwifi.Wifi(network, cfg)
nets = wifi.scan()
wifi.start_ap()
kitsetup = sys.modules['kitsetup']
app = kitsetup.create_app(wifi, cfg, nets, lambda c: True)
dns = sys.modules['kitdns'].DNSServer('127.0.0.1', 0, '127.0.0.1')
try:
    dns.open()
except Exception:
    pass
class _P:
    def read(self):
        return b''
    def write(self, b):
        pass
improv = sys.modules['kitimprov'].Improv(wifi, cfg, lambda c: True, _P())
page = kitsetup.form_page(cfg, nets)
gc.collect()
setup = gc.mem_free()
page = None
dns.close()
app = improv = dns = wifi = nets = kitsetup = None
for name in ('kitsetup', 'kitdns', 'kitimprov'):
    sys.modules.pop(name, None)
gc.collect()
after = gc.mem_free()
print('@@setup', base, core, mods, setup, after,
      getattr(sys.modules['kitwifi'], '__file__', '?'))
"""


def setup_program(front=None):
    path = 'sys.path.insert(0, %r)' % front if front else ''
    return _SETUP_PROGRAM % {'path': path, 'modules': SETUP_MODULES}


def ensure_firmware_mpy():
    """The boot modules compiled with mpy-cross to build/mpy-firmware."""
    import shutil
    src = tempfile.mkdtemp(prefix='measure-src-')
    for name in SETUP_MODULES:
        shutil.copy(os.path.join(HERE, name + '.py'), src)
    subprocess.check_call([sys.executable,
                           os.path.join(REPO, 'tools', 'mpy_compile.py'),
                           src, FIRMWARE_MPY_DIR])
    shutil.rmtree(src)


def parse_setup(out):
    m = re.search(r'@@setup (\d+) (\d+) (\d+) (\d+) (\d+) (\S+)', out)
    if not m:
        return {'error': out.strip().splitlines()[-1:] or ['no output']}
    keys = ('base', 'core', 'modules', 'setup', 'after')
    r = dict(zip(keys, [int(g) for g in m.groups()[:5]]))
    r['file'] = m.group(6)
    return r


def setup_variants(front_mpy, front_py):
    """(label, sys.path front or None for frozen, extra dirs to mount)."""
    return (('frozen', None), ('.mpy', front_mpy), ('.py', front_py))


def measure_setup_unix(image, heapsize=None):
    ensure_firmware_mpy()
    argv = [os.path.abspath(image)]
    if heapsize:
        argv += ['-X', 'heapsize=' + heapsize]
    work = tempfile.mkdtemp(prefix='measure-')
    results = {}
    env = dict(os.environ)
    for label, front in setup_variants(FIRMWARE_MPY_DIR, HERE):
        # the framework itself: frozen if the image has it, else build/mpy
        env['MICROPYPATH'] = '.frozen:' + MPY_DIR
        out = subprocess.run(argv + ['-c', setup_program(front)], cwd=work,
                             env=env, capture_output=True, text=True,
                             timeout=60)
        results[label] = parse_setup(out.stdout + out.stderr)
    os.rmdir(work)
    return results


def measure_setup_serial(port):
    ensure_firmware_mpy()
    mpremote = os.path.join(REPO, '.venv', 'bin', 'mpremote')
    results = {}
    for label, local in setup_variants(FIRMWARE_MPY_DIR, HERE):
        cmd = [mpremote, 'connect', port]
        if local:
            cmd += ['mount', '-l', local]
        cmd += ['exec', setup_program('/remote' if local else None)]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        results[label] = parse_setup(out.stdout + out.stderr)
    return results


def report_setup(place, results):
    print('| %s, setup mode | free at start | core (microdot) | boot modules '
          '| setup objects | setup mode in all | free in setup | free after '
          'setup |' % place)
    print('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
    for label in ('frozen', '.mpy', '.py'):
        r = results[label]
        if 'error' in r:
            print('| %s | %s | | | | | | |' % (label, ' '.join(r['error'])))
            continue
        print('| %s | %d | %d | %d | %d | %d | %d | %d |' % (
            label, r['base'], r['base'] - r['core'],
            r['core'] - r['modules'], r['modules'] - r['setup'],
            r['base'] - r['setup'], r['setup'], r['after']))
    print()
    print('core: importing microdot; boot modules: then %s; setup objects: '
          'the setup app, the DNS socket, Improv and one rendered page; '
          'setup mode in all: from the start; free after setup: once setup '
          'mode is left (kitsetup, kitdns, kitimprov dropped). The boot '
          'modules come frozen / from .mpy / from .py; the core as the '
          'image has it (frozen) or from build/mpy.'
          % ', '.join(SETUP_MODULES))


def main_setup(argv):
    if len(argv) < 4 or argv[2] not in ('unix', 'serial'):
        sys.exit(__doc__)
    ensure_mpy()
    if argv[2] == 'unix':
        heapsize = None
        if '--heapsize' in argv:
            heapsize = argv[argv.index('--heapsize') + 1]
        results = measure_setup_unix(argv[3], heapsize)
        place = 'unix' + (' -X heapsize=' + heapsize if heapsize else '')
    else:
        results = measure_setup_serial(argv[3])
        place = argv[3]
    report_setup(place, results)
    return 0


def main(argv):
    if len(argv) >= 2 and argv[1] == 'setup':
        return main_setup(argv)
    if len(argv) < 3 or argv[1] not in ('unix', 'serial'):
        sys.exit(__doc__)
    ensure_mpy()
    if argv[1] == 'unix':
        heapsize = None
        if '--heapsize' in argv:
            heapsize = argv[argv.index('--heapsize') + 1]
        results = measure_unix(argv[2], heapsize)
        place = 'unix' + (' -X heapsize=' + heapsize if heapsize else '')
    else:
        results = measure_serial(argv[2])
        place = argv[2]
    report(place, results)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
