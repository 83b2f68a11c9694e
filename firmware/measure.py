"""Heap free after boot with the whole framework imported: frozen into the
image, loaded from .mpy (build/mpy, as mpy-cross makes them) and from .py.

    python3 firmware/measure.py unix IMAGE [--heapsize 140k]
    python3 firmware/measure.py serial PORT     (a board or the qemu pty)

Each figure comes from a fresh interpreter: gc.collect() then gc.mem_free()
at the start, then again after importing microdot and every module of the
package. Prints one line per variant and a Markdown table row set.
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


def main(argv):
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
