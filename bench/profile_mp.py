"""Where a request's time and heap go in our framework, on MicroPython.

    micropython -X heapsize=64M profile_mp.py [--path DIR] [--iterations N]

No sockets: the hello-world app is served from in-memory streams, one phase
at a time, with the garbage collector disabled so gc.mem_alloc() deltas
count every byte a phase allocates. Each phase is timed with
time.ticks_us() over N iterations. Also splits the heap cost of
`import microdot` by submodule (loading them one by one through a copy
of the package with an empty __init__, made under results/).

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


async def measure(name, fn, n, results):
    """Run `await fn()` n times; record us and bytes per call."""
    gc.collect()
    gc.disable()
    a = gc.mem_alloc()
    t = now()
    for _ in range(n):
        await fn()
    dt = time.ticks_diff(now(), t)
    b = gc.mem_alloc()
    gc.enable()
    results.append((name, dt / n, (b - a) / n))


async def phases(n, microdot):
    from app import app
    mod = sys.modules
    req_mod = mod.get('microdot.request')
    server = mod.get('microdot.server')
    out = []

    async def nothing():
        pass

    await measure('(baseline: await an empty coroutine)', nothing, n, out)
    base_us, base_b = out[0][1], out[0][2]

    Request = microdot.Request
    ConnectionReader = getattr(req_mod, 'ConnectionReader', None)

    async def parse():
        r = ConnectionReader(Reader(REQUEST))
        return await Request.create(app, r, Writer(), ('127.0.0.1', 1))

    if ConnectionReader is None:
        print('skip: no ConnectionReader')
        return out
    req = await parse()
    await measure('read + parse request (ConnectionReader + Request.create)',
                  parse, n, out)

    async def readline_only():
        r = ConnectionReader(Reader(REQUEST))
        await r.readline(2048)
        await r.readline(2048)
        await r.readline(2048)

    await measure('  of which: 3 readline() on a buffered reader',
                  readline_only, n, out)

    if hasattr(req_mod, 'parse_request_line'):
        async def reqline():
            req_mod.parse_request_line(b'GET / HTTP/1.1')
        await measure('  of which: parse_request_line', reqline, n, out)

    async def headers():
        h = microdot.NoCaseDict()
        h['Host'] = '127.0.0.1:8080'
    await measure('  of which: NoCaseDict + 1 header', headers, n, out)

    async def make_request():
        Request(app, ('127.0.0.1', 1), 'GET', '/', '1.1',
                microdot.NoCaseDict())
    await measure('  of which: Request.__init__ (+ empty NoCaseDict)',
                  make_request, n, out)

    async def find():
        app.find_route(req)
    await measure('find_route', find, n, out)

    route, args = app.find_route(req)
    handler = route[2]
    invoke = mod['microdot.helpers'].invoke_handler

    async def call():
        await invoke(handler, req, **args)
    await measure('invoke_handler(index) -> dict', call, n, out)

    async def make():
        app.make_response({'hello': 'world'})
    await measure('make_response(dict) (json.dumps + Response + headers)',
                  make, n, out)

    import json

    async def dumps():
        json.dumps({'hello': 'world'}).encode()
    await measure('  of which: json.dumps(...).encode()', dumps, n, out)

    async def dispatch():
        await app.dispatch_request(req)
    await measure('dispatch_request total (route, hooks, handler, response)',
                  dispatch, n, out)

    res = await app.dispatch_request(req)

    async def complete():
        res.complete()
    await measure('Response.complete()', complete, n, out)
    res.complete()

    async def head():
        res.head_bytes('1.1')
    await measure('Response.head_bytes()', head, n, out)

    w = Writer()

    async def write():
        await res.write(w, '1.1')
    await measure('Response.write() (head_bytes + head+body concat)', write,
                  n, out)

    if server is not None and hasattr(server, 'serve_connection'):
        k = 50

        async def conn_keepalive():
            await server.serve_connection(app, Reader(REQUEST, k), Writer())

        async def one_per_conn():
            await server.serve_connection(app, Reader(REQUEST, 1), Writer())

        await measure('serve_connection, %d keep-alive requests: per request'
                      % k, conn_keepalive, max(1, n // k), out)
        name, us, b = out[-1]
        out[-1] = (name, us / k, b / k)
        await measure('serve_connection, one request per connection',
                      one_per_conn, n, out)
    # the baseline loop cost is in every figure: take it out
    return [out[0]] + [(name, us - base_us, b - base_b)
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
    n = 500
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
        print('%10.1f %10.0f  %s' % (us, b, name))


main()
