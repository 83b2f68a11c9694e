"""Boot a unix port image through the firmware's boot code and check that
it serves HTTP: `python3 ports-ci/serve_check.py IMAGE [PATH]`.

Runs `IMAGE -m kitboot` in a scratch directory with a config.json naming a
free port, waits for GET PATH (default /) to answer 200, then stops it with
Ctrl-C (SIGINT) and checks it exits cleanly without leaving the safe-mode
marker behind. Exit status 0 on success, 1 with a reason otherwise.
"""
import os
import json
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def main(image, path='/'):
    image = os.path.abspath(image)
    work = tempfile.mkdtemp(prefix='kitboot-')
    port = free_port()
    with open(os.path.join(work, 'config.json'), 'w') as f:
        json.dump({'port': port, 'stable_after': 1}, f)
    proc = subprocess.Popen([image, '-m', 'kitboot'], cwd=work,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = 'http://127.0.0.1:%d%s' % (port, path)
    status, body, error = None, b'', None
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(url, timeout=2) as res:
                    status, body = res.status, res.read()
                break
            except OSError as exc:
                error = exc
                time.sleep(0.2)
        time.sleep(1.5)  # past stable_after: the boot marker is removed
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        try:
            out = proc.communicate(timeout=10)[0].decode('utf-8', 'replace')
        except subprocess.TimeoutExpired:
            proc.kill()
            out = proc.communicate()[0].decode('utf-8', 'replace')
    marker = os.path.exists(os.path.join(work, '.kit_booting'))
    shutil.rmtree(work, ignore_errors=True)
    print(out.rstrip())
    if status != 200:
        print('serve_check: GET %s failed: %s' % (url, status or error))
        return 1
    if marker:
        print('serve_check: the safe-mode marker was left behind')
        return 1
    print('serve_check: GET %s -> %d, %d bytes; stopped cleanly'
          % (path, status, len(body)))
    return 0


if __name__ == '__main__':
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
