"""Where a request's time and heap go in our framework, on MicroPython.

    micropython -X heapsize=64M profile_mp.py [--path DIR] [--iterations N]

No sockets: the hello-world app is served from in-memory streams, one phase
at a time, with the garbage collector disabled so gc.mem_alloc() deltas
count every byte a phase allocates. Each phase is timed with
time.ticks_us() over N iterations in 15 batches; the fastest batch
counts. Also splits the heap cost of `import microdot` by submodule
(loading them one by one through a copy of the package with an empty
__init__, made under results/profile.tmp/).

The phases call the framework's own internals (Request.create,
Microdot.find_route, make_response, Response.write, ...) and are skipped
with a note when one of them is missing. The socket side is not here: the
floor server's figures in the main table are the runtime's share.
"""
import gc
import sys
import time

REQUEST = b'GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n'


class Reader:
    """An asyncio-like stream that hands out `data` again and again."""

    def __init__(self, data, repeat=1):
        self.data = data
        self.left = repeat

    async def read(self, n=-1):
        if not self.left:
            return b''
        self.left -= 1
        return self.data


class Writer:
    def __init__(self):
        self.size = 0

    def write(self, data):
        self.size += len(data)

    async def drain(self):
        pass

    def close(self):
        pass

    async def wait_closed(self):
        pass

    def get_extra_info(self, name, default=None):
        return ('127.0.0.1', 1234) if name == 'peername' else default


def now():
    return time.ticks_us()


async def measure(name, fn, n, results, reps=15):
    """Run `await fn()` n times in reps batches; record us and bytes per call.

    Time is the fastest batch (other processes only ever add time on a
    shared machine); bytes are the same in every batch.
    """
    best = None
    per = max(1, n // reps)
    for _ in range(reps):
        gc.collect()
        gc.disable()
        a = gc.mem_alloc()
        t = now()
        for _ in range(per):
            await fn()
        dt = time.ticks_diff(now(), t)
        b = gc.mem_alloc()
        gc.enable()
        if best is None or dt < best:
            best = dt
    results.append((name, best / per, (b - a) / per))


async def phases(n, microdot):
    """(name, us, bytes) per phase; phases the framework lacks are noted."""
    from app import app
    mod = sys.modules
    req_mod = mod.get('microdot.request')
    server = mod.get('microdot.server')
    Request = microdot.Request
    addr = ('127.0.0.1', 1)
    head = REQUEST[:REQUEST.find(b'\r\n\r\n')]
    out = []

    async def nothing():
        pass

    async def create():
        return await Request.create(app, Reader(REQUEST), Writer(), addr)

    async def read_head():
        r = req_mod.ConnectionReader(Reader(REQUEST))
        await r.read_head(2048, 8192)

    async def parse_head():
        req_mod.parse_head(head, 2048, 64)

    async def new_request():
        Request(app, addr, 'GET', '/', '1.1',
                microdot.NoCaseDict({'Host': '127.0.0.1:8080'}))

    req = await create()
    try:
        route, args = app.find_route(req)
        handler = route[2]
    except Exception:
        handler, args = None, {}

    async def find():
        app.find_route(req)

    async def call():
        await mod['microdot.helpers'].invoke_handler(handler, req, **args)

    async def make():
        app.make_response({'hello': 'world'})

    import json

    async def dumps():
        json.dumps({'hello': 'world'}).encode()

    async def dispatch():
        await app.dispatch_request(req)

    res = await app.dispatch_request(req)

    async def complete():
        res.complete()

    res.complete()

    async def head_bytes():
        res.head_bytes('1.1')

    async def write():
        await res.write(Writer(), '1.1')

    k = 50

    async def conn_keepalive():
        await server.serve_connection(app, Reader(REQUEST, k), Writer())

    async def one_per_conn():
        await server.serve_connection(app, Reader(REQUEST, 1), Writer())

    async def with_watchdog():
        # as under app.run(): connections registered for the timeouts
        app._connections = []
        try:
            await server.serve_connection(app, Reader(REQUEST, k), Writer())
        finally:
            app._connections = None

    table = [
        ('(baseline: await an empty coroutine)', nothing, 1),
        ('Request.create: read + parse the head, build the Request', create,
         1),
        ('  of which: ConnectionReader.read_head', read_head, 1),
        ('  of which: parse_head', parse_head, 1),
        ('  of which: Request.__init__ (+ NoCaseDict, 1 header)',
         new_request, 1),
        ('find_route', find, 1),
        ('invoke_handler(index) -> dict', call, 1),
        ('make_response(dict): json.dumps + Response', make, 1),
        ('  of which: json.dumps(...).encode()', dumps, 1),
        ('dispatch_request: route, hooks, handler, response', dispatch, 1),
        ('Response.complete()', complete, 1),
        ('Response.head_bytes()', head_bytes, 1),
        ('Response.write() to a stream', write, 1),
        ('serve_connection, %d keep-alive requests: per request' % k,
         conn_keepalive, k),
        ('serve_connection, one request per connection', one_per_conn, 1),
        ('serve_connection, %d keep-alive requests, with the timeout '
         'bookkeeping app.run() adds: per request' % k, with_watchdog, k),
    ]
    for name, fn, per in table:
        try:
            await fn()  # a phase whose internals changed is skipped
        except Exception as exc:
            out.append((name + ' [skipped: %s %s]' % (
                type(exc).__name__, exc), None, None))
            continue
        await measure(name, fn, max(1, n // per), out)
        if per > 1:
            name, us, b = out[-1]
            out[-1] = (name, us / per, b / per)
    base_us, base_b = out[0][1], out[0][2]
    # the loop's own cost (one coroutine per call) is in every figure
    return [out[0]] + [(name, None if us is None else us - base_us,
                        None if b is None else b - base_b)
                       for name, us, b in out[1:]]


def import_breakdown(path):
    """Heap of each core submodule, loaded in dependency order."""
    import os
    # which submodules does `import microdot` load? (then forget them)
    before = list(sys.modules)
    sys.path.insert(0, path)
    __import__('microdot')
    core = [m[9:] for m in sys.modules if m.startswith('microdot.')]
    for m in list(sys.modules):
        if m not in before:
            del sys.modules[m]
    sys.path.pop(0)
    stage = 'results/profile.tmp'
    for d in ('results', stage, stage + '/microdot'):
        try:
            os.mkdir(d)
        except OSError:
            pass
    src = path + '/microdot/'
    for name in os.listdir(src):
        if name.split('.')[0] in core:
            with open(src + name, 'rb') as f, \
                    open(stage + '/microdot/' + name, 'wb') as g:
                g.write(f.read())
    with open(stage + '/microdot/__init__.py', 'w') as g:
        g.write('')
    # a module's own imports are charged to it: load the leaves first
    order = ['asyncio', 'json', 're']
    for first in ('helpers', 'structures'):
        if first in core:
            order.append('microdot.' + first)
            core.remove(first)
    for last in ('server', 'microdot'):
        if last in core:
            core.remove(last)
            core.append(last)
    order += ['microdot.' + m for m in core]
    rows = []
    gc.collect()
    start = gc.mem_alloc()
    sys.path.insert(0, stage)
    for name in order:
        gc.collect()
        a = gc.mem_alloc()
        try:
            __import__(name)
            gc.collect()
            rows.append((name, gc.mem_alloc() - a))
        except Exception as exc:
            rows.append((name + ' (%s)' % exc, 0))
    gc.collect()
    rows.append(('total (plus the package __init__ below)',
                 gc.mem_alloc() - start))
    for m in list(sys.modules):
        if m not in before:
            del sys.modules[m]
    sys.path.pop(0)
    gc.collect()
    a = gc.mem_alloc()
    sys.path.insert(0, path)
    __import__('microdot')
    gc.collect()
    rows.append(('real `import microdot` (for comparison)', gc.mem_alloc() - a))
    sys.path.pop(0)
    return rows


def main():
    argv = sys.argv[1:]
    path = '../build/mpy'
    n = 1500
    i = 0
    while i < len(argv):
        if argv[i] == '--path':
            path = argv[i + 1]
            i += 1
        elif argv[i] == '--iterations':
            n = int(argv[i + 1])
            i += 1
        i += 1
    print('# import microdot, by submodule (loaded from %s)' % path)
    for name, size in import_breakdown(path):
        print('%8d B  %s' % (size, name))
    sys.path.insert(0, path)
    import asyncio
    import microdot
    print('# one hello-world request, by phase (%d iterations, gc off)' % n)
    print('%10s %10s  %s' % ('us/call', 'B/call', 'phase'))
    for name, us, b in asyncio.run(phases(n, microdot)):
        if us is None:
            print('%10s %10s  %s' % ('-', '-', name))
        else:
            print('%10.1f %10.0f  %s' % (us, b, name))


main()
