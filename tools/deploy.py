"""`make deploy`: copy an app folder to a board's filesystem.

    python tools/deploy.py APP_DIR [PORT] [--config FILE]
                           [--framework auto|mpy|none] [--no-reset]

Copies APP_DIR's files (its modules, templates, static files; not
__pycache__ or .pyc) to /app on the board with mpremote, where the kit's
boot code runs /app/app.py. The framework is taken from the board's image
when it is frozen there (`--framework auto`, the default); on a board
without it (a stock MicroPython firmware) `build/mpy/microdot` is copied to
/lib/microdot as .mpy bytecode (`make mpy` builds it). `--framework mpy`
always copies it, `none` never. --config copies FILE to /config.json.
The board is reset at the end (--no-reset: not).

PORT is a serial port; without one (or given a number, the Makefile's HTTP
port) mpremote finds the board. Exit status 0 done, 1 mpremote failed,
2 bad usage.
"""
import argparse
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SKIP_DIRS = ('__pycache__', '.git', '.pytest_cache')
SKIP_FILES = ('.pyc', '~', '.swp')
FROZEN_PROBE = ('import sys\n_p = sys.path[:]\nsys.path[:] = [".frozen"]\n'
                'try:\n import microdot\n print("@frozen")\n'
                'except ImportError:\n print("@not-frozen")\n'
                'sys.path[:] = _p\n')


def fail(message, status=2):
    print('deploy: ' + message, file=sys.stderr)
    sys.exit(status)


def mpremote():
    here = os.path.join(os.path.dirname(sys.executable), 'mpremote')
    venv = os.path.join(ROOT, '.venv', 'bin', 'mpremote')
    for path in (here, venv):
        if os.path.exists(path):
            return [path]
    found = shutil.which('mpremote')
    if not found:
        fail('mpremote not found: run `make venv` (requirements.txt '
             'installs it)')
    return [found]


def connect_args(port):
    return ['connect', port] if port and not port.isdigit() else []


def tree(top):
    """(directories, files) under top, relative with '/', sorted."""
    dirs, files = [], []
    for root, subdirs, names in os.walk(top):
        subdirs[:] = sorted(d for d in subdirs if d not in SKIP_DIRS)
        rel = os.path.relpath(root, top)
        if rel != '.':
            dirs.append(rel.replace(os.sep, '/'))
        for name in sorted(names):
            if not name.endswith(SKIP_FILES):
                files.append(os.path.normpath(os.path.join(rel, name))
                             .replace(os.sep, '/'))
    return dirs, files


def mkdirs_code(dirs):
    return ('import os\nfor d in %r:\n try:\n  os.mkdir(d)\n'
            ' except OSError:\n  pass\n' % (dirs,))


def framework_frozen(base):
    out = subprocess.run(base + ['exec', FROZEN_PROBE], capture_output=True,
                         text=True, timeout=60)
    if out.returncode != 0:
        fail('mpremote could not reach the board: %s'
             % (out.stderr.strip() or out.stdout.strip()), 1)
    return '@frozen' in out.stdout


def plan(app_dir, framework_dir=None, config=None):
    """The mpremote command arguments (after `connect PORT`) that copy the
    app (and the framework from framework_dir, if given)."""
    dirs, files = tree(app_dir)
    make = ['app'] + ['app/' + d for d in dirs]
    copies = [(os.path.join(app_dir, f), ':app/' + f) for f in files]
    if framework_dir:
        fdirs, ffiles = tree(framework_dir)
        make += ['lib', 'lib/microdot'] + ['lib/microdot/' + d for d in fdirs]
        copies += [(os.path.join(framework_dir, f), ':lib/microdot/' + f)
                   for f in ffiles if f.endswith('.mpy')]
    if config:
        copies.append((config, ':config.json'))
    args = ['exec', mkdirs_code(make)]
    for src, dst in copies:
        args += ['+', 'fs', 'cp', src, dst]
    return args, len(files)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('app_dir')
    parser.add_argument('port', nargs='?', default='')
    parser.add_argument('--config', default='')
    parser.add_argument('--framework', choices=('auto', 'mpy', 'none'),
                        default='auto')
    parser.add_argument('--no-reset', action='store_true')
    opts = parser.parse_args(sys.argv[1:] if argv is None else argv)
    app_dir = opts.app_dir
    if not os.path.isdir(app_dir):
        fail('APP=%s is not a folder: point APP at an app folder such as '
             'examples/demo' % app_dir)
    if not os.path.exists(os.path.join(app_dir, 'app.py')):
        fail('%s has no app.py: the boot code runs app.py and serves its '
             '`app`' % app_dir)
    if opts.config and not os.path.exists(opts.config):
        fail('CONFIG=%s does not exist' % opts.config)
    base = mpremote() + connect_args(opts.port)
    framework_dir = None
    if opts.framework == 'mpy' or (opts.framework == 'auto'
                                   and not framework_frozen(base)):
        framework_dir = os.path.join(ROOT, 'build', 'mpy', 'microdot')
        if not os.path.exists(os.path.join(framework_dir, '__init__.mpy')):
            fail('the board has no frozen framework and build/mpy is not '
                 'built: run `make mpy` first')
    args, count = plan(app_dir, framework_dir, opts.config)
    if not opts.no_reset:
        args += ['+', 'reset']
    print('+ mpremote %s... (%d file(s))' % (' '.join(connect_args(
        opts.port)), count), flush=True)
    if subprocess.call(base + args, stdout=subprocess.DEVNULL):
        fail('mpremote could not copy the app (is the board connected, and '
             'no other program using its port?)', 1)
    print('deploy: %d file(s) of %s copied to /app%s%s' % (
        count, app_dir,
        ', the framework as .mpy to /lib/microdot' if framework_dir else
        ' (the framework is frozen into the image)',
        ', config to /config.json' if opts.config else ''))
    return 0


if __name__ == '__main__':
    sys.exit(main())
