"""Shared by the test_server_*.py files: the app they serve, helpers and
the base test case (start_server() in-process, raw HTTP bytes over sockets).

Split in several files so that each compiles on a board with ~100 KB heap.
"""
import asyncio
import unittest

from microdot import Microdot, Request, Response
from support import HAS_SOCKETS, IS_MICROPYTHON, Countdown, LiveServer, run

# bigger than any buffer the server uses; kept small on MicroPython, where
# the test may run on a board with ~100 KB of heap
BIG_SIZE = 8 * 1024 if IS_MICROPYTHON else 40 * 1024
STREAM_BIG_PIECES = 32  # /stream-big: 512 KB in 16 KB pieces
HUGE_LINE = 8000 if IS_MICROPYTHON else 70000


def big_file_data():
    return bytes(range(256)) * (BIG_SIZE // 256)


class Broken:
    def __init__(self):
        self.sent = False

    def __aiter__(self):
        return self

    async def __anext__(self):
        if not self.sent:
            self.sent = True
            return b'first part;'
        raise ValueError('async iterator failure')


class Endless:
    """A stream that goes on (up to 1 GB); counts its chunks."""
    chunk = b'e' * (4096 if IS_MICROPYTHON else 65536)

    def __init__(self, state):
        self.state = state
        state['chunks'] = 0

    def __aiter__(self):
        return self

    async def __anext__(self):
        self.state['chunks'] += 1
        if self.state['chunks'] > 16384:
            raise StopAsyncIteration
        return self.chunk


class LiveStream:
    """Yields one chunk, then waits for /go before the second one."""

    def __init__(self, event):
        self.event = event
        self.step = 0

    def __aiter__(self):
        return self

    async def __anext__(self):
        self.step += 1
        if self.step == 1:
            return b'first;'
        if self.step == 2:
            await self.event.wait()
            return b'second;'
        raise StopAsyncIteration


def make_app(file_dir=None):
    app = Microdot()
    state = {'event': asyncio.Event()}
    app.test_state = state

    @app.route('/', methods=['GET', 'POST'])
    async def index(req):
        return 'index'

    @app.get('/hello/<name>')
    async def hello(req, name):
        return 'hello ' + name

    @app.post('/echo')
    async def echo(req):
        return req.body

    @app.post('/json')
    async def js(req):
        return {'got': req.json}

    @app.post('/ignore')
    async def ignore(req):
        return 'ignored'

    @app.post('/stream-in')
    async def stream_in(req):
        total = 0
        for _ in range(10000):
            chunk = await req.stream.read(512)
            if not chunk:
                break
            total += len(chunk)
        return str(total)

    @app.get('/stream-out')
    async def stream_out(req):
        def gen():
            for i in range(5):
                yield 'line %d\n' % i
        return gen()

    @app.get('/stream-big')
    async def stream_big(req):
        # 16 KB pieces, each filled with its own letter: more than a
        # loopback socket buffers, so writes go out in part and drain()
        # waits for the client
        def gen():
            for i in range(STREAM_BIG_PIECES):
                yield bytes([65 + i % 26]) * 16384
        return gen()

    @app.get('/async-iter')
    async def async_iter(req):
        return Countdown(4)

    @app.get('/fail')
    async def fail(req):
        raise RuntimeError('handler failure')

    @app.get('/slow')
    async def slow(req):
        await asyncio.sleep(float(req.args.get('t', '0.6')))
        return 'slow done'

    @app.get('/sync')
    def sync(req):
        return 'sync ok'

    @app.get('/cookies')
    async def cookies(req):
        res = Response('cookies')
        res.set_cookie('a', '1')
        res.set_cookie('b', '2', http_only=True)
        return res

    @app.get('/unicode')
    async def unicode(req):
        return 'h\u00e9llo'

    @app.get('/client')
    async def client(req):
        return {'addr': list(req.client_addr), 'scheme': req.scheme,
                'http_version': getattr(req, 'http_version', None)}

    @app.get('/path/<path:p>')
    async def path(req, p):
        return str(len(p))

    @app.get('/headers')
    async def headers(req):
        return str(len(req.headers))

    @app.get('/wait')
    async def wait(req):
        await state['event'].wait()
        return 'waited'

    @app.get('/set')
    async def set_event(req):
        state['event'].set()
        return 'set'

    @app.get('/shutdown')
    async def shutdown(req):
        req.app.shutdown()
        return 'bye'

    @app.get('/empty')
    async def empty(req):
        return 204

    @app.get('/broken-stream')
    async def broken_stream(req):
        def gen():
            yield 'first part;'
            raise RuntimeError('generator failure')
        return gen()

    @app.get('/broken-async-stream')
    async def broken_async_stream(req):
        return Broken()

    @app.get('/endless')
    async def endless(req):
        return Endless(state)

    @app.get('/inject')
    async def inject(req):
        if req.args.get('kind') == 'redirect':
            from microdot import redirect
            return redirect('/x\r\nX-Injected: 1')
        return 'x', {'X-A': 'a\r\nX-Injected: 1'}

    @app.get('/live')
    async def live(req):
        state['go'] = asyncio.Event()
        return LiveStream(state['go'])

    @app.get('/go')
    async def go(req):
        state['go'].set()
        return 'went'

    @app.route('/file', methods=['GET'])
    async def file(req):
        from microdot import send_file
        return send_file(file_dir + '/big.bin')

    @app.route('/file-many-headers', methods=['GET'])
    async def file_many_headers(req):
        from microdot import send_file
        res = send_file(file_dir + '/big.bin')
        for i in range(40):  # a head larger than half the read buffer
            res.headers['X-Pad-%d' % i] = 'p' * 20
        return res

    @app.route('/file-empty', methods=['GET'])
    async def file_empty(req):
        from microdot import send_file
        return send_file(file_dir + '/empty.bin')

    return app


class ServerTestCase(unittest.TestCase):
    """Each test runs `self.go(srv)` against a fresh server."""
    base_port = 21000
    idle_timeout = None
    request_timeout = None

    def setUp(self):
        if not HAS_SOCKETS:
            self.skipTest('this port has no socket module')
        self.saved_limits = (Request.max_content_length,
                             Request.max_body_length, Request.max_readline,
                             Request.max_head_length)

    def tearDown(self):
        (Request.max_content_length, Request.max_body_length,
         Request.max_readline, Request.max_head_length) = self.saved_limits

    def serve(self, coro_fn, app=None):
        app = app or make_app(getattr(self, 'dir', None))
        if self.idle_timeout is not None:
            app.idle_timeout = self.idle_timeout
        if self.request_timeout is not None:
            app.request_timeout = self.request_timeout

        async def main():
            srv = await LiveServer(app, self.base_port).start()
            try:
                return await coro_fn(srv)
            finally:
                await srv.stop()

        return run(main())

    async def kept_alive(self, c, res):
        """False (after checking the server does close) when the response
        ends the connection, True when the connection must go on."""
        if c.eof or 'close' in (res.header('connection') or '').lower():
            self.assertTrue(await c.is_closed(2), 'announced close but the '
                            'connection stayed open')
            return False
        return True

    async def assert_serving(self, srv):
        """A good request on a new connection still gets served."""
        res = await srv.request('GET', '/hello/again')
        self.assertEqual(res.status, 200)
        self.assertEqual(res.body, b'hello again')
