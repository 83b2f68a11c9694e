"""Realtime benchmark: WebSocket and SSE, ours vs upstream Microdot 2.5.1.

    .venv/bin/python bench/bench_realtime.py [--quick]

Both sides run the same small app (below) on the MicroPython unix port,
each in its own process, driven from here over loopback with raw sockets
(pre-masked frames, so the client costs little). Upstream is a black box
imported from bench/.upstream (``make bench-deps``). Measured:

- echo messages/s at 16 B and 4 KB (16 messages in flight);
- heap per open WebSocket and per open SSE stream (``gc.mem_alloc()``
  after ``gc.collect()``, with 20 clients open, per client, after one
  client of the kind has come and gone), and, for
  ours only (upstream closes every connection), per idle kept-alive HTTP
  connection;
- the most WebSocket clients held open (each answering an echo) in
  ``-X heapsize=64k``;
- publish-to-100-subscribers latency: from the publish request until the
  last of 100 WebSocket clients has the message (ours: ``microdot.pubsub``;
  upstream has none, so its app loops over its clients by hand).

Prints a markdown table with the goals of the issue (echo at 4 KB >= 3x
upstream, heap per connection <= 0.5x upstream) and writes
bench/results/realtime.json. No figure here is asserted by a test.
"""
import json
import os
import select
import socket
import subprocess
import sys
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
MICROPYTHON = os.path.join(ROOT, '.venv', 'bin', 'micropython')
SOURCES = {'ours': os.path.join(ROOT, 'modules'),
           'upstream': os.path.join(BENCH, '.upstream')}
# both sides run from .mpy (the bytecode a board runs; .py sources do not
# even compile in a 64 KB heap), compiled here into ignored folders
SIDES = {side: os.path.join(BENCH, 'results', 'realtime-%s-mpy.tmp' % side)
         for side in SOURCES}


def compile_sides():
    sys.path.insert(0, os.path.join(ROOT, 'tools'))
    from mpy_compile import compile_tree
    for side, src in SOURCES.items():
        if side == 'upstream':
            src = os.path.join(src, 'microdot')
            out = os.path.join(SIDES[side], 'microdot')
        else:
            out = SIDES[side]
        compile_tree(src, out)

APP = r'''
import asyncio, gc, sys
from microdot import Microdot
from microdot.websocket import with_websocket
if MINIMAL:  # the 64 KB heap run: the WebSocket alone
    pubsub = None
    with_sse = lambda f: f
else:
    from microdot.sse import with_sse
    try:
        from microdot import pubsub
    except ImportError:
        pubsub = None
app = Microdot()
held = []

@app.route('/echo')
@with_websocket
async def echo(request, ws):
    while True:
        await ws.send(await ws.receive())

@app.route('/hold')
@with_websocket
async def hold(request, ws):
    if pubsub:
        pubsub.subscribe(ws, 't')
    else:
        held.append(ws)
    try:
        while True:
            await ws.send(await ws.receive())
    finally:
        if ws in held:
            held.remove(ws)

@app.route('/bare')
@with_websocket
async def bare(request, ws):
    while True:
        await ws.send(await ws.receive())

@app.route('/sse')
@with_sse
async def sse(request, sse):
    await sse.send('hi')
    while True:
        await asyncio.sleep(3600)

@app.route('/mem')
async def mem(request):
    gc.collect()
    gc.collect()
    return str(gc.mem_alloc())

@app.route('/publish')
async def publish(request):
    if pubsub:
        await pubsub.publish('t', 'news')
    else:
        for ws in list(held):
            await ws.send('news')
    return 'ok'

app.run(host='127.0.0.1', port=PORT)
'''

HANDSHAKE = ('GET %s HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n'
             'Connection: Upgrade\r\nSec-WebSocket-Key: '
             'dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n')
MASK = b'\x11\x22\x33\x44'


def client_frame(payload, opcode=2):
    n = len(payload)
    if n < 126:
        head = bytes((0x80 | opcode, 0x80 | n))
    elif n < 65536:
        head = bytes((0x80 | opcode, 0xfe)) + n.to_bytes(2, 'big')
    else:
        head = bytes((0x80 | opcode, 0xff)) + n.to_bytes(8, 'big')
    m = (MASK * (n // 4 + 1))[:n]
    body = (int.from_bytes(payload, 'big') ^ int.from_bytes(m, 'big')) \
        .to_bytes(n, 'big') if n else b''
    return head + MASK + body


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    def __init__(self, side, heap=None):
        self.port = free_port()
        env = dict(os.environ, MICROPYPATH='.frozen:' + SIDES[side])
        cmd = [MICROPYTHON]
        if heap:
            cmd += ['-X', 'heapsize=' + heap]
        cmd += ['-c', 'PORT = %d\nMINIMAL = %s\n' % (self.port, bool(heap))
                + APP]
        self.proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        for _ in range(200):
            try:
                socket.create_connection(('127.0.0.1', self.port), 0.2) \
                    .close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError('%s server did not start' % side)

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        self.proc.kill()
        self.proc.wait()

    def get(self, path):
        s = socket.create_connection(('127.0.0.1', self.port), 5)
        s.sendall(('GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
                   % path).encode())
        data = b''
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        s.close()
        return data.partition(b'\r\n\r\n')[2]


class WS:
    def __init__(self, port, path='/echo', timeout=5):
        self.s = socket.create_connection(('127.0.0.1', port), timeout)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.s.sendall((HANDSHAKE % path).encode())
        self.buf = b''
        while b'\r\n\r\n' not in self.buf:
            chunk = self.s.recv(4096)
            if not chunk:
                raise OSError('closed during the handshake')
            self.buf += chunk
        head, _, self.buf = self.buf.partition(b'\r\n\r\n')
        if not head.startswith(b'HTTP/1.1 101'):
            raise OSError('handshake refused: %r' % head[:40])

    def _need(self, n):
        while len(self.buf) < n:
            chunk = self.s.recv(65536)
            if not chunk:
                raise OSError('closed')
            self.buf += chunk

    def recv(self):
        self._need(2)
        n = self.buf[1] & 0x7f
        start = 2
        if n == 126:
            self._need(4)
            n = int.from_bytes(self.buf[2:4], 'big')
            start = 4
        elif n == 127:
            self._need(10)
            n = int.from_bytes(self.buf[2:10], 'big')
            start = 10
        self._need(start + n)
        data = self.buf[start:start + n]
        self.buf = self.buf[start + n:]
        return data

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass


def echo_rate(port, size, seconds, window=16):
    ws = WS(port)
    frame = client_frame(bytes(range(256)) * (size // 256) or b'x' * size)
    for _ in range(window):
        ws.s.sendall(frame)
    count = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        ws.recv()
        count += 1
        ws.s.sendall(frame)
    elapsed = time.perf_counter() - start
    ws.close()
    return count / elapsed


def heap_per(server, kind, n=20):
    """Heap per open connection of ``kind``, with ``n`` open. One is opened
    and closed first: what the first connection of a kind loads for good
    (a lazily imported module, a cache) is not a per-connection cost."""
    base = None
    conns = []
    for i in range(n + 1):
        if i == 1:
            for c in conns:
                c.close()
            conns = []
            time.sleep(0.2)
            base = int(server.get('/mem'))
        if kind == 'ws':
            ws = WS(server.port, '/bare')
            ws.s.sendall(client_frame(b'up'))
            ws.recv()
            conns.append(ws)
        else:
            # an SSE stream, or ('idle') a kept-alive HTTP connection
            # waiting for its next request
            path, until = ('/mem', b'\r\n\r\n') if kind == 'idle' else \
                ('/sse', b'data: hi')
            s = socket.create_connection(('127.0.0.1', server.port), 5)
            s.sendall(b'GET %s HTTP/1.1\r\nHost: x\r\n\r\n' % path.encode())
            data = b''
            while until not in data:
                data += s.recv(4096)
            conns.append(s)
    time.sleep(0.2)
    used = int(server.get('/mem'))
    for c in conns:
        c.close()
    return (used - base) / n


def most_clients(side, heap, cap=400):
    """Clients held in ``heap``; None if the server does not start."""
    try:
        server = Server(side, heap=heap)
    except RuntimeError:
        return None
    conns = []
    try:
        while len(conns) < cap:
            try:
                ws = WS(server.port, '/hold', timeout=3)
                ws.s.sendall(client_frame(b'alive?'))
                if ws.recv() != b'alive?':
                    break
                conns.append(ws)
            except (OSError, socket.timeout):
                break
            if not server.alive():
                break
        return len(conns)
    finally:
        for c in conns:
            c.close()
        server.stop()


def publish_latency(server, n=100, rounds=5):
    clients = []
    for _ in range(n):
        ws = WS(server.port, '/hold')
        ws.s.sendall(client_frame(b'up'))
        ws.recv()
        ws.s.setblocking(False)
        clients.append(ws)
    best = []
    for _ in range(rounds):
        start = time.perf_counter()
        trigger = socket.create_connection(('127.0.0.1', server.port), 5)
        trigger.sendall(b'GET /publish HTTP/1.1\r\nHost: x\r\n\r\n')
        waiting = {ws.s: ws for ws in clients}
        while waiting:
            ready, _, _ = select.select(list(waiting), [], [], 10)
            if not ready:
                raise RuntimeError('publish did not reach every client')
            for s in ready:
                ws = waiting[s]
                ws.buf += s.recv(4096)
                if b'news' in ws.buf:
                    ws.buf = b''
                    del waiting[s]
        best.append((time.perf_counter() - start) * 1000)
        trigger.close()
        time.sleep(0.05)
    for ws in clients:
        ws.close()
    best.sort()
    return best[len(best) // 2]


def measure(side, quick):
    seconds = 1 if quick else 3
    out = {}
    server = Server(side)
    try:
        out['echo_16'] = echo_rate(server.port, 16, seconds)
        out['echo_4k'] = echo_rate(server.port, 4096, seconds)
        out['heap_ws'] = heap_per(server, 'ws')
        out['heap_sse'] = heap_per(server, 'sse')
        if side == 'ours':  # upstream closes every connection
            out['heap_idle'] = heap_per(server, 'idle')
        out['publish_100_ms'] = publish_latency(server)
    finally:
        server.stop()
    out['max_ws_64k'] = most_clients(side, '64k')
    out['max_ws_96k'] = most_clients(side, '96k')
    return out


def main():
    quick = '--quick' in sys.argv
    if not os.path.exists(os.path.join(SOURCES['upstream'], 'microdot')):
        sys.exit('upstream Microdot missing: run `make bench-deps`')
    compile_sides()
    results = {side: measure(side, quick) for side in ('ours', 'upstream')}
    ours, up = results['ours'], results['upstream']
    rows = [
        ('WebSocket echo, 16 B', 'msg/s', 'echo_16', None),
        ('WebSocket echo, 4 KB', 'msg/s', 'echo_4k', ('>=3x upstream', 3)),
        ('heap per open WebSocket', 'bytes', 'heap_ws',
         ('<=0.5x upstream', -0.5)),
        ('heap per open SSE stream', 'bytes', 'heap_sse',
         ('<=0.5x upstream', -0.5)),
        ('most WebSocket clients in 64 KB heap', 'clients', 'max_ws_64k',
         None),
        ('most WebSocket clients in 96 KB heap', 'clients', 'max_ws_96k',
         None),
        ('publish to 100 WebSocket subscribers (median)', 'ms',
         'publish_100_ms', None),
    ]
    lines = ['| metric (MicroPython unix port) | unit | ours | upstream 2.5.1 '
             '| ours/upstream | goal: verdict |', '|---|---|---|---|---|---|']
    goals = {}
    for label, unit, key, goal in rows:
        a, b = ours[key], up[key]
        if a is None or b is None:
            lines.append('| %s | %s | %s | %s | - | %s |' % (
                label, unit, 'no start' if a is None else a,
                'no start' if b is None else b,
                'server does not start in that heap'))
            continue
        ratio = a / b if b else float('inf')
        verdict = ''
        if goal is not None:
            text, target = goal
            met = ratio >= target if target > 0 else ratio <= -target
            verdict = '%s: %s' % (text, 'met' if met else 'MISSED')
            goals[key] = met
        fmt = '%.0f' if unit != 'ms' else '%.2f'
        lines.append('| %s | %s | %s | %s | %.2f | %s |' % (
            label, unit, fmt % a, fmt % b, ratio, verdict))
    if ours.get('heap_idle') is not None:
        lines.append('| heap per idle kept-alive HTTP connection | bytes | '
                     '%.0f | - (closes every connection) | - | |'
                     % ours['heap_idle'])
    lines.append('')
    lines.append('upstream has no pub/sub: its figure loops over the '
                 'clients with `await ws.send()` by hand.')
    print('\n'.join(lines))
    os.makedirs(os.path.join(BENCH, 'results'), exist_ok=True)
    with open(os.path.join(BENCH, 'results', 'realtime.json'), 'w') as f:
        json.dump({'when': time.strftime('%Y-%m-%dT%H:%M:%S'),
                   'runtime': 'micropython unix port (PyPI)',
                   'results': results, 'goals_met': goals}, f, indent=2)


if __name__ == '__main__':
    main()
