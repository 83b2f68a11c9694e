"""Streamed and file responses over kept-alive connections on MicroPython.

    .venv/bin/python bench/bench_streaming.py [--duration S] [--rounds N]

Serves one app (a small generator body, a 20 KB file, a 1 KB file) with ours
and with upstream Microdot 2.5.1 on the MicroPython unix port (.mpy), and
drives each URL with wrk at one connection with keep-alive. Upstream answers
HTTP/1.0 and closes after every response, so its figures are per new
connection; ours keep the connection, which is where a missing TCP_NODELAY
shows up as ~40 ms per response (the client's delayed ACK). Prints a table
and writes bench/results/streaming.json. Goal: ours at least upstream's
req/s on every URL (a kept-alive stream must not be slower than a new
connection).
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, BENCH)
import run as bench  # noqa: E402
import servers  # noqa: E402

APP = '''
import sys
sys.path[:0] = %(paths)r
from microdot import Microdot, send_file

app = Microdot()
FILES = %(files)r


def pieces():
    for i in range(4):
        yield 'piece %%d of a streamed body\\n' %% i


@app.route('/stream')
async def stream(request):
    return pieces()


@app.route('/file/<name>')
async def file(request, name):
    return send_file(FILES + '/' + name)


app.run(port=%(port)d)
'''

URLS = ['/stream', '/file/big.bin', '/file/small.txt']


def start(side, files, tmp):
    port = servers.free_port()
    paths = [servers.OURS_MPY] if side == 'ours' else [servers.UPSTREAM_MPY]
    script = os.path.join(tmp, 'app_%s.py' % side)
    with open(script, 'w') as f:
        f.write(APP % {'paths': paths, 'files': files, 'port': port})
    env = dict(os.environ, MICROPYPATH='.frozen')
    proc = subprocess.Popen([os.path.join(servers.VENV_BIN, 'micropython'),
                             script], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(('127.0.0.1', port), 0.2).close()
            return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError(side + ' server did not start')


def measure(port, url, duration):
    cmd = ['wrk', '-t1', '-c1', '-d%ds' % duration, '--timeout', '5s',
           '-s', bench.WRK_LUA, 'http://127.0.0.1:%d%s' % (port, url)]
    out = subprocess.run(cmd, capture_output=True, text=True,
                         timeout=duration + 30)
    for line in out.stdout.splitlines():
        if line.startswith('WRKJSON '):
            res = json.loads(line[8:])
            good = res['requests'] - res['errors']['status']
            return good / (res['duration_us'] / 1e6)
    raise RuntimeError('wrk gave no result for ' + url)


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--duration', type=int, default=2)
    ap.add_argument('--rounds', type=int, default=3)
    args = ap.parse_args()
    if not shutil.which('wrk'):
        sys.exit('wrk not found (make bench-deps installs it)')
    bench.prepare_upstream_mpy()
    tmp = tempfile.mkdtemp(prefix='bench-stream-')
    files = os.path.join(tmp, 'files')
    os.mkdir(files)
    with open(os.path.join(files, 'big.bin'), 'wb') as f:
        f.write(os.urandom(20 * 1024))
    with open(os.path.join(files, 'small.txt'), 'w') as f:
        f.write('x' * 1024)
    results = {url: {'ours': [], 'upstream': []} for url in URLS}
    try:
        for r in range(args.rounds):
            for side in (('ours', 'upstream') if r % 2 == 0
                         else ('upstream', 'ours')):
                proc, port = start(side, files, tmp)
                try:
                    for url in URLS:
                        results[url][side].append(
                            measure(port, url, args.duration))
                finally:
                    proc.kill()
                    proc.wait()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    rows = []
    print('| URL (MicroPython unix, .mpy, c1) | ours req/s (keep-alive) | '
          'upstream req/s (new connection each) | ours/upstream | goal |')
    print('|---|---|---|---|---|')
    for url in URLS:
        ours = median(results[url]['ours'])
        up = median(results[url]['upstream'])
        ratio = ours / up if up else float('inf')
        verdict = 'met' if ratio >= 1 else 'MISSED'
        rows.append({'url': url, 'ours_rps': ours, 'upstream_rps': up,
                     'ratio': ratio, 'goal': '>=1x upstream',
                     'verdict': verdict})
        print('| %s | %.0f | %.0f | %.2f | >=1x upstream: %s |'
              % (url, ours, up, ratio, verdict))
    out = os.path.join(BENCH, 'results', 'streaming.json')
    with open(out, 'w') as f:
        json.dump({'date': time.strftime('%Y-%m-%dT%H:%M:%S'), 'rows': rows,
                   'raw': results}, f, indent=1)


if __name__ == '__main__':
    main()
