"""`make run`: serve examples/demo on MicroPython and say where.

Uses the frozen unix firmware (firmware/build/UNIX/micropython) when it has
been built, otherwise the unix port from the virtualenv with the framework
loaded from the .mpy files in build/mpy/.
"""
import argparse
import os
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FROZEN = os.path.join(ROOT, 'firmware', 'build', 'UNIX', 'micropython')
VENV_MP = os.path.join(os.path.dirname(sys.executable), 'micropython')


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--port', type=int, default=5000)
    parser.add_argument('--app', default=os.path.join(ROOT, 'examples', 'demo'))
    args = parser.parse_args()
    if os.path.exists(FROZEN):
        binary, path, how = FROZEN, '.frozen', 'frozen unix firmware'
    else:
        binary = VENV_MP
        path = '.frozen:' + os.path.join(ROOT, 'build', 'mpy')
        how = 'MicroPython unix port, framework from build/mpy (.mpy)'
    env = dict(os.environ, MICROPYPATH=path + ':' + args.app)
    code = 'from app import app; app.run(port=%d, debug=True)' % args.port
    proc = subprocess.Popen([binary, '-c', code], env=env, cwd=args.app)
    try:
        for _ in range(100):
            if proc.poll() is not None:
                sys.exit('the demo app exited (code %s) before serving; is '
                         'port %d free?' % (proc.returncode, args.port))
            try:
                socket.create_connection(('127.0.0.1', args.port), 0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        print('Serving examples/demo on %s at http://localhost:%d/ '
              '(Ctrl-C to stop)' % (how, args.port), flush=True)
        proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        proc.wait()


if __name__ == '__main__':
    main()
