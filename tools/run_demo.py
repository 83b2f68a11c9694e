"""`make run [APP=path/to/app]`: serve an app folder on MicroPython and say
where (default: examples/demo).

The app folder's app.py must define `app` (a Microdot instance) or
`create_app()`; it runs with the folder as its working directory, so its
templates and static files are found. The interpreter:

* the frozen unix firmware (firmware/build/UNIX/micropython) when it has
  been built and is newer than the sources it freezes (modules/, the boot
  code, manifest.py, boards/UNIX/);
* otherwise the unix port from the virtualenv with the framework loaded
  from the .mpy files in build/mpy/. A stale frozen image is never used
  silently: it is rebuilt first when a MicroPython checkout is at hand
  (MICROPY_DIR), else the line printed says it is skipped and why.
"""
import argparse
import os
import signal
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FROZEN = os.path.join(ROOT, 'firmware', 'build', 'UNIX', 'micropython')
VENV_MP = os.path.join(os.path.dirname(sys.executable), 'micropython')
FROZEN_SOURCES = ('modules', 'firmware', 'manifest.py',
                  os.path.join('boards', 'UNIX'))


def newest_source():
    """(mtime, path) of the newest source the frozen image is built from."""
    newest = (0, None)
    for top in FROZEN_SOURCES:
        top = os.path.join(ROOT, top)
        if os.path.isfile(top):
            newest = max(newest, (os.path.getmtime(top), top))
            continue
        for root, dirs, files in os.walk(top):
            dirs[:] = [d for d in dirs if d not in ('build', '__pycache__')]
            for name in files:
                if name.endswith(('.py', '.json')):
                    path = os.path.join(root, name)
                    newest = max(newest, (os.path.getmtime(path), path))
    return newest


def micropy_dir():
    for path in (os.environ.get('MICROPY_DIR', ''),
                 os.path.join(ROOT, 'micropython')):
        if path and os.path.exists(os.path.join(path, 'py', 'mpconfig.h')):
            return path
    return None


def choose(use_frozen=True):
    """(binary, sys.path entries, description)."""
    mpy_path = ['.frozen', os.path.join(ROOT, 'build', 'mpy')]
    fallback = (VENV_MP, mpy_path,
                'the MicroPython unix port, framework from build/mpy (.mpy)')
    if not use_frozen or not os.path.exists(FROZEN):
        return fallback
    mtime, path = newest_source()
    if mtime > os.path.getmtime(FROZEN):
        rel = os.path.relpath(path, ROOT)
        if micropy_dir():
            print('run: the frozen UNIX image is older than %s: rebuilding it '
                  '(make BOARD=UNIX)' % rel, flush=True)
            done = subprocess.run(['make', '-s', 'BOARD=UNIX'], cwd=ROOT)
            if done.returncode == 0:
                return FROZEN, ['.frozen'], 'the frozen unix firmware'
            print('run: the rebuild failed; using the unix port instead')
        else:
            print('run: not using firmware/build/UNIX/micropython: it is '
                  'older than %s and there is no MicroPython checkout to '
                  'rebuild it (MICROPY_DIR)' % rel, flush=True)
        return fallback
    return FROZEN, ['.frozen'], 'the frozen unix firmware'


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--port', type=int, default=5000)
    parser.add_argument('--app', default=os.path.join(ROOT, 'examples', 'demo'))
    parser.add_argument('--no-frozen', action='store_true',
                        help='never use the frozen UNIX image')
    args = parser.parse_args()
    app_dir = os.path.abspath(args.app)
    if not os.path.isfile(os.path.join(app_dir, 'app.py')):
        sys.exit('run: APP=%s has no app.py (an app folder such as '
                 'examples/api)' % args.app)
    binary, path, how = choose(not args.no_frozen)
    # The app folder first: a frozen image also holds an `app` (the demo).
    env = dict(os.environ, MICROPYPATH=':'.join([app_dir] + path))
    code = ('import app as _m\n'
            'app = getattr(_m, "app", None) or _m.create_app()\n'
            'app.run(port=%d, debug=True)\n' % args.port)
    proc = subprocess.Popen([binary, '-c', code], env=env, cwd=app_dir)

    def stop(signum, frame):
        raise KeyboardInterrupt

    # stopped by a signal (make, a test, a service manager): the app goes
    # too, rather than being left serving on its port
    signal.signal(signal.SIGTERM, stop)
    try:
        for _ in range(100):
            if proc.poll() is not None:
                sys.exit('the app exited (code %s) before serving; is '
                         'port %d free?' % (proc.returncode, args.port))
            try:
                socket.create_connection(('127.0.0.1', args.port), 0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        print('Serving %s on %s at http://localhost:%d/ (Ctrl-C to stop)'
              % (os.path.relpath(app_dir, ROOT) if app_dir.startswith(ROOT)
                 else app_dir, how, args.port), flush=True)
        proc.wait()
    except KeyboardInterrupt:
        pass
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait()


if __name__ == '__main__':
    main()
