"""The real server: start_server() in-process, raw HTTP bytes over sockets.

Covers persistent connections, pipelining, HTTP/1.0, timeouts, bad input
(each followed by a good request that must still be served), and the
server's life cycle (shutdown, run, debug logging, TLS on CPython).
"""
import asyncio
import errno
import socket
import sys
import unittest

from microdot import Microdot, Request, Response
from support import IS_MICROPYTHON, TIMEOUT, ConnectionClosed, LiveServer, \
    RawClient, build_request, elapsed, free_port, make_temp_dir, now, \
    remove_tree, run, write_file

# bigger than any buffer the server uses; kept small on MicroPython, where
# the test may run on a board with ~100 KB of heap
BIG_SIZE = 8 * 1024 if IS_MICROPYTHON else 40 * 1024
HUGE_LINE = 8000 if IS_MICROPYTHON else 70000


def big_file_data():
    return bytes(range(256)) * (BIG_SIZE // 256)


class Countdown:
    def __init__(self, n):
        self.n = n

    def __aiter__(self):
        return self

    async def __anext__(self):
        if self.n <= 0:
            raise StopAsyncIteration
        await asyncio.sleep(0)
        self.n -= 1
        return str(self.n + 1) + ';'


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

    return app


class ServerTestCase(unittest.TestCase):
    """Each test runs `self.go(srv)` against a fresh server."""
    base_port = 21000
    idle_timeout = None
    request_timeout = None

    def setUp(self):
        self.saved_limits = (Request.max_content_length,
                             Request.max_body_length, Request.max_readline)

    def tearDown(self):
        (Request.max_content_length, Request.max_body_length,
         Request.max_readline) = self.saved_limits

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


class KeepAliveTest(ServerTestCase):
    base_port = 21000

    def test_several_requests_on_one_connection(self):
        async def go(srv):
            c = await srv.client()
            for name in ['a', 'b', 'c']:
                await c.send(build_request('GET', '/hello/' + name))
                res = await c.read_response()
                self.assertEqual(res.status, 200)
                self.assertEqual(res.body, b'hello ' + name.encode())
                self.assertEqual(res.version, 'HTTP/1.1')
                self.assertNotIn('close', (res.header('connection') or '')
                                 .lower())
            await c.send(build_request('POST', '/echo', body=b'posted'))
            res = await c.read_response()
            self.assertEqual(res.body, b'posted')
            await c.send(build_request('GET', '/sync'))
            self.assertEqual((await c.read_response()).body, b'sync ok')
            self.assertFalse(await c.is_closed(0.2))

        self.serve(go)

    def test_pipelined_requests(self):
        async def go(srv):
            c = await srv.client()
            await c.send(build_request('GET', '/hello/one') +
                         build_request('POST', '/echo', body=b'two') +
                         build_request('GET', '/slow?t=0.05') +
                         build_request('GET', '/hello/four'))
            bodies = []
            for _ in range(4):
                bodies.append((await c.read_response()).body)
            self.assertEqual(bodies, [b'hello one', b'two', b'slow done',
                                      b'hello four'])

        self.serve(go)

    def test_request_split_across_writes(self):
        async def go(srv):
            c = await srv.client()
            data = build_request('POST', '/echo', body=b'0123456789')
            for piece in [data[:3], data[3:20], data[20:-5], data[-5:]]:
                await c.send(piece)
                await asyncio.sleep(0.02)
            res = await c.read_response()
            self.assertEqual(res.status, 200)
            self.assertEqual(res.body, b'0123456789')

        self.serve(go)

    def test_connection_close(self):
        async def go(srv):
            c = await srv.client()
            await c.send(build_request('GET', '/hello/x',
                                       {'Connection': 'close'}))
            res = await c.read_response()
            self.assertEqual(res.body, b'hello x')
            self.assertIn('close', (res.header('connection') or '').lower())
            self.assertTrue(await c.is_closed(2))

        self.serve(go)

    def test_http10_closes_by_default(self):
        async def go(srv):
            c = await srv.client()
            await c.send(build_request('GET', '/hello/old', version='HTTP/1.0',
                                       host=False))
            res = await c.read_response()
            self.assertEqual(res.status, 200)
            self.assertEqual(res.body, b'hello old')
            self.assertTrue(await c.is_closed(2))

        self.serve(go)

    def test_http10_keep_alive(self):
        async def go(srv):
            c = await srv.client()
            for name in ['x', 'y']:
                await c.send(build_request(
                    'GET', '/hello/' + name, {'Connection': 'keep-alive'},
                    version='HTTP/1.0'))
                res = await c.read_response()
                self.assertEqual(res.body, b'hello ' + name.encode())
                self.assertIn('keep-alive',
                              (res.header('connection') or '').lower())
            self.assertFalse(await c.is_closed(0.2))

        self.serve(go)

    def test_head_sends_no_body(self):
        async def go(srv):
            c = await srv.client()
            await c.send(build_request('GET', '/hello/head'))
            get = await c.read_response()
            await c.send(build_request('HEAD', '/hello/head') +
                         build_request('GET', '/hello/after'))
            head = await c.read_response(head=True)
            self.assertEqual(head.status, 200)
            self.assertEqual(head.header('content-length'),
                             get.header('content-length'))
            # if HEAD had sent a body, this would read it as a status line
            after = await c.read_response()
            self.assertEqual(after.body, b'hello after')

        self.serve(go)

    def test_streamed_responses(self):
        async def go(srv):
            c = await srv.client()
            await c.send(build_request('GET', '/stream-out'))
            res = await c.read_response()
            self.assertEqual(res.status, 200)
            self.assertEqual(res.body, b''.join(
                ('line %d\n' % i).encode() for i in range(5)))
            if await self.kept_alive(c, res):
                await c.send(build_request('GET', '/async-iter'))
                res = await c.read_response()
                self.assertEqual(res.body, b'4;3;2;1;')
            else:
                res = await srv.request('GET', '/async-iter')
                self.assertEqual(res.body, b'4;3;2;1;')

        self.serve(go)

    def test_many_pipelined_requests(self):
        async def go(srv):
            c = await srv.client()
            data = b''
            for i in range(40):
                data += build_request('GET', '/hello/%d' % i)
            await c.send(data)
            for i in range(40):
                res = await c.read_response()
                self.assertEqual(res.body, ('hello %d' % i).encode())

        self.serve(go)

    def test_error_responses_keep_the_connection(self):
        async def go(srv):
            c = await srv.client()
            await c.send(build_request('GET', '/no/such/page'))
            self.assertEqual((await c.read_response()).status, 404)
            await c.send(build_request('PUT', '/hello/x'))
            self.assertEqual((await c.read_response()).status, 405)
            await c.send(build_request('GET', '/hello/y'))
            self.assertEqual((await c.read_response()).body, b'hello y')

        self.serve(go)

    def test_204_then_next_request(self):
        async def go(srv):
            c = await srv.client()
            await c.send(build_request('GET', '/empty') +
                         build_request('GET', '/hello/after'))
            res = await c.read_response()
            self.assertEqual(res.status, 204)
            self.assertEqual((await c.read_response()).body, b'hello after')

        self.serve(go)

    def test_head_of_streamed_response(self):
        async def go(srv):
            c = await srv.client()
            await c.send(build_request('HEAD', '/stream-out') +
                         build_request('GET', '/hello/after'))
            res = await c.read_response(head=True)
            self.assertEqual(res.status, 200)
            if await self.kept_alive(c, res):
                self.assertEqual((await c.read_response()).body,
                                 b'hello after')

        self.serve(go)

    def test_get_with_body_then_next_request(self):
        async def go(srv):
            c = await srv.client()
            await c.send(build_request('GET', '/hello/body', body=b'xyz' * 10)
                         + build_request('GET', '/hello/next'))
            self.assertEqual((await c.read_response()).body, b'hello body')
            self.assertEqual((await c.read_response()).body, b'hello next')

        self.serve(go)

    def test_absolute_form_url(self):
        async def go(srv):
            c = await srv.client()
            await c.send(build_request('GET', 'http://localhost/hello/abs'))
            self.assertEqual((await c.read_response()).body, b'hello abs')

        self.serve(go)

    def test_chunked_request_body(self):
        async def go(srv):
            c = await srv.client()
            await c.send(b'POST /echo HTTP/1.1\r\nHost: x\r\n'
                         b'Transfer-Encoding: chunked\r\n\r\n'
                         b'5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n'
                         + build_request('GET', '/hello/next'))
            res = await c.read_response()
            self.assertEqual(res.status, 200)
            self.assertEqual(res.body, b'hello, world')
            self.assertEqual((await c.read_response()).body, b'hello next')

        self.serve(go)

    @unittest.skipIf(IS_MICROPYTHON, 'half-closing a socket needs '
                     'write_eof(), which MicroPython streams lack')
    def test_client_half_close_still_gets_response(self):
        async def go(srv):
            c = await srv.client()
            await c.send(build_request('GET', '/hello/half'))
            c.writer.write_eof()
            res = await c.read_response()
            self.assertEqual(res.body, b'hello half')

        self.serve(go)

    def test_stream_chunks_reach_the_client_as_they_are_made(self):
        async def go(srv):
            a = await srv.client()
            await a.send(build_request('GET', '/live'))
            start = now()
            while b'first;' not in a.buf:
                try:
                    if not await a._fill(start, 2):
                        break
                except asyncio.TimeoutError:
                    break
            self.assertIn(b'first;', a.buf,
                          'first chunk held back until the stream ended')
            res = await srv.request('GET', '/go')
            self.assertEqual(res.body, b'went')
            res = await a.read_response()
            self.assertEqual(res.body, b'first;second;')

        self.serve(go)

    def test_http10_streamed_response_is_not_chunked(self):
        async def go(srv):
            for headers in [{}, {'Connection': 'keep-alive'}]:
                c = await srv.client()
                await c.send(build_request('GET', '/stream-out', headers,
                                           version='HTTP/1.0'))
                res = await c.read_response()
                self.assertIsNone(res.header('transfer-encoding'))
                self.assertEqual(res.body, b''.join(
                    ('line %d\n' % i).encode() for i in range(5)))
                self.assertTrue(await c.is_closed(2))

        self.serve(go)

    def test_unread_body_does_not_become_a_request(self):
        Request.max_body_length = 100

        async def go(srv):
            c = await srv.client()
            await c.send(build_request('POST', '/ignore', body=b'GET /x' * 200)
                         + build_request('GET', '/hello/next'))
            res = await c.read_response()
            self.assertEqual(res.body, b'ignored')
            try:
                res = await c.read_response()
            except ConnectionClosed:
                res = None  # closing instead of draining is acceptable
            if res is not None:
                self.assertEqual(res.status, 200)
                self.assertEqual(res.body, b'hello next')
            await self.assert_serving(srv)

        self.serve(go)

    def test_streamed_request_body_then_next_request(self):
        Request.max_body_length = 100

        async def go(srv):
            c = await srv.client()
            await c.send(build_request('POST', '/stream-in',
                                       body=b'z' * 5000) +
                         build_request('GET', '/hello/next'))
            res = await c.read_response()
            self.assertEqual(res.body, b'5000')
            res = await c.read_response()
            self.assertEqual(res.body, b'hello next')

        self.serve(go)

    def test_expect_100_continue(self):
        async def go(srv):
            c = await srv.client()
            body = b'e' * 2000
            await c.send(build_request('POST', '/echo',
                                       {'Expect': '100-continue',
                                        'Content-Length': len(body)}))
            interim = await c.read_response(timeout=1)
            self.assertEqual(interim.status, 100)
            await c.send(body)
            res = await c.read_response()
            self.assertEqual(res.status, 200)
            self.assertEqual(res.body, body)

        self.serve(go)

    def test_concurrent_connections(self):
        async def go(srv):
            a = await srv.client()
            b = await srv.client()
            await a.send(build_request('GET', '/wait'))
            await asyncio.sleep(0.05)
            await b.send(build_request('GET', '/set'))
            self.assertEqual((await b.read_response()).body, b'set')
            self.assertEqual((await a.read_response()).body, b'waited')

        self.serve(go)


class ServerResponsesTest(ServerTestCase):
    base_port = 22000

    @classmethod
    def setUpClass(cls):
        cls.dir = make_temp_dir('mdserver')
        write_file(cls.dir + '/big.bin', big_file_data())

    @classmethod
    def tearDownClass(cls):
        remove_tree(cls.dir)

    def test_status_line_and_default_headers(self):
        async def go(srv):
            res = await srv.request('GET', '/hello/x')
            self.assertEqual(res.version, 'HTTP/1.1')
            self.assertEqual(res.status, 200)
            self.assertEqual(res.reason, 'OK')
            self.assertEqual(res.header('content-length'), '7')
            self.assertTrue(res.header('content-type').startswith(
                'text/plain'))

        self.serve(go)

    def test_unicode_content_length(self):
        async def go(srv):
            res = await srv.request('GET', '/unicode')
            self.assertEqual(res.body.decode(), 'h\u00e9llo')
            self.assertEqual(res.header('content-length'), '6')

        self.serve(go)

    def test_multiple_set_cookie_lines(self):
        async def go(srv):
            res = await srv.request('GET', '/cookies')
            cookies = res.header_list('set-cookie')
            self.assertEqual(len(cookies), 2)
            self.assertTrue(cookies[0].startswith('a=1'))
            self.assertTrue(cookies[1].startswith('b=2'))

        self.serve(go)

    def test_big_file_then_keep_alive(self):
        async def go(srv):
            c = await srv.client()
            await c.send(build_request('GET', '/file'))
            res = await c.read_response(timeout=5)
            self.assertEqual(res.status, 200)
            self.assertEqual(len(res.body), BIG_SIZE)
            self.assertTrue(res.body == big_file_data())
            if await self.kept_alive(c, res):
                await c.send(build_request('GET', '/hello/f'))
                self.assertEqual((await c.read_response()).body, b'hello f')

        self.serve(go)

    def test_404_405_options_on_the_wire(self):
        async def go(srv):
            res = await srv.request('GET', '/no/such/url')
            self.assertEqual(res.status, 404)
            res = await srv.request('DELETE', '/hello/x')
            self.assertEqual(res.status, 405)
            self.assertIn('GET', res.header('allow') or '')
            res = await srv.request('OPTIONS', '/echo')
            self.assertEqual(res.status, 200)
            self.assertIn('POST', res.header('allow') or '')

        self.serve(go)

    def test_client_addr_and_scheme(self):
        async def go(srv):
            res = await srv.request('GET', '/client')
            import json
            data = json.loads(res.body.decode())
            self.assertEqual(data['addr'][0], '127.0.0.1')
            self.assertIsInstance(data['addr'][1], int)
            self.assertEqual(data['scheme'], 'http')

        self.serve(go)

    def assert_not_complete(self, c, res_or_exc):
        # a stream that fails after the headers went out can not turn into
        # a 500; the client must see a truncated response, never one that
        # looks complete (a final zero chunk would hide the failure)
        if isinstance(res_or_exc, ConnectionClosed):
            return
        res = res_or_exc
        self.assertFalse(res.chunked, 'failed stream ended cleanly')
        self.assertIsNone(res.header('content-length'))
        self.assertTrue(c.eof)

    def test_stream_failing_midway(self):
        async def go(srv):
            for path in ['/broken-stream', '/broken-async-stream']:
                c = await srv.client()
                await c.send(build_request('GET', path))
                try:
                    res = await c.read_response()
                except ConnectionClosed as exc:
                    res = exc
                self.assert_not_complete(c, res)
                await self.assert_serving(srv)

        self.serve(go)

    def test_head_of_file(self):
        async def go(srv):
            c = await srv.client()
            await c.send(build_request('HEAD', '/file') +
                         build_request('GET', '/hello/after'))
            res = await c.read_response(head=True)
            self.assertEqual(res.status, 200)
            cl = res.header('content-length')
            if cl is not None:
                self.assertEqual(cl, str(BIG_SIZE))
            if await self.kept_alive(c, res):
                self.assertEqual((await c.read_response()).body,
                                 b'hello after')

        self.serve(go)

    def test_client_leaving_mid_stream_stops_it(self):
        async def go(srv):
            state = srv.app.test_state
            c = await srv.client()
            await c.send(build_request('GET', '/endless'))
            for _ in range(20):
                await c._fill(now(), TIMEOUT)
            await c.close()
            await asyncio.sleep(0.5)
            count = state['chunks']
            await asyncio.sleep(0.5)
            self.assertEqual(state['chunks'], count,
                             'server kept streaming to a closed connection')
            self.assertLess(count, 16384)
            await self.assert_serving(srv)

        self.serve(go)

    def test_no_header_injection(self):
        async def go(srv):
            for kind in ['redirect', 'header']:
                c = await srv.client()
                await c.send(build_request('GET', '/inject?kind=' + kind))
                try:
                    res = await c.read_response()
                except ConnectionClosed:
                    res = None
                if res is not None:
                    self.assertIsNone(res.header('x-injected'), kind)
                await c.close()
            await self.assert_serving(srv)

        self.serve(go)

    def test_500_then_same_connection_goes_on(self):
        async def go(srv):
            c = await srv.client()
            await c.send(build_request('GET', '/fail'))
            res = await c.read_response()
            self.assertEqual(res.status, 500)
            if await self.kept_alive(c, res):
                await c.send(build_request('GET', '/hello/z'))
                self.assertEqual((await c.read_response()).body, b'hello z')
            await self.assert_serving(srv)

        self.serve(go)


class BadRequestTest(ServerTestCase):
    base_port = 23000

    async def expect(self, srv, data, statuses):
        c = await srv.client()
        await c.send(data)
        try:
            res = await c.read_response()
        except ConnectionClosed:
            self.fail('no response to %r' % data[:60])
        if isinstance(statuses, int):
            statuses = (statuses,)
        self.assertIn(res.status, statuses, data[:60])
        await c.close()
        await self.assert_serving(srv)
        return res

    def test_malformed_request_lines(self):
        bad = [
            b'GARBAGE\r\n\r\n',
            b'GET /\r\n\r\n',
            b'GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n',
            b'GET / FOO/1.1\r\nHost: x\r\n\r\n',
            b'GET  / HTTP/1.1\r\nHost: x\r\n\r\n',
            b' / HTTP/1.1\r\nHost: x\r\n\r\n',
            b'\x00\x01\x02\xff\xfe\r\n\r\n',
        ]

        async def go(srv):
            for data in bad:
                await self.expect(srv, data, 400)

        self.serve(go)

    def test_malformed_http_version(self):
        # HTTP-version is "HTTP/" DIGIT "." DIGIT: anything else is a
        # malformed request line (400), not an unsupported version (505)
        async def go(srv):
            for version in [b'HTTP/1.1x', b'HTTP/1', b'HTTP/a.b', b'HTTP/']:
                await self.expect(srv, b'GET / ' + version +
                                  b'\r\nHost: x\r\n\r\n', 400)

        self.serve(go)

    def test_unsupported_http_version(self):
        async def go(srv):
            await self.expect(srv, b'GET / HTTP/2.0\r\nHost: x\r\n\r\n', 505)
            await self.expect(srv, b'GET / HTTP/3.0\r\nHost: x\r\n\r\n', 505)

        self.serve(go)

    def test_malformed_header(self):
        async def go(srv):
            await self.expect(
                srv, b'GET / HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n', 400)

        self.serve(go)

    def test_request_line_too_long(self):
        async def go(srv):
            res = await srv.request('GET', '/path/' + 'a' * 1900)
            self.assertEqual(res.status, 200)
            self.assertEqual(res.body, b'1900')
            await self.expect(srv, build_request('GET', '/path/' + 'a' * 3000),
                              414)
            await self.expect(
                srv, build_request('GET', '/path/' + 'a' * HUGE_LINE), 414)

        self.serve(go)

    def test_header_line_too_long(self):
        async def go(srv):
            res = await srv.request('GET', '/', {'X-Big': 'b' * 1900})
            self.assertEqual(res.status, 200)
            await self.expect(srv, build_request('GET', '/',
                                                 {'X-Big': 'b' * 3000}), 431)

        self.serve(go)

    def test_too_many_headers(self):
        async def go(srv):
            ok = {}
            for i in range(63):  # plus Host: 64 header lines
                ok['X-H%d' % i] = str(i)
            res = await srv.request('GET', '/headers', ok)
            self.assertEqual(res.status, 200)
            self.assertEqual(res.body, b'64')
            ok['X-One-More'] = 'x'
            await self.expect(srv, build_request('GET', '/headers', ok), 431)
            many = {}
            for i in range(500):
                many['X-H%d' % i] = 'v'
            await self.expect(srv, build_request('GET', '/headers', many), 431)

        self.serve(go)

    def test_invalid_content_length(self):
        async def go(srv):
            for value in ['abc', '-5', '1.5', '5, 6', '0x10', '']:
                await self.expect(
                    srv, b'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: '
                    + value.encode() + b'\r\n\r\nhello', 400)
            await self.expect(
                srv, b'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n'
                b'Content-Length: 6\r\n\r\nhello!', 400)

        self.serve(go)

    def test_body_too_large(self):
        async def go(srv):
            # announced only: the server must answer without the body
            await self.expect(
                srv, b'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: '
                + str(Request.max_content_length + 1).encode() + b'\r\n\r\n',
                413)
            await self.expect(
                srv, b'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: '
                b'999999999999999999999\r\n\r\n', 413)
            body = b'x' * Request.max_content_length
            res = await srv.request('POST', '/echo', body=body)
            self.assertEqual(res.status, 200)
            self.assertEqual(len(res.body), len(body))

        self.serve(go)

    def test_invalid_json(self):
        async def go(srv):
            for body in [b'{"a": ', b'not json', b'\xff\xfe{}']:
                await self.expect(srv, build_request(
                    'POST', '/json', {'Content-Type': 'application/json'},
                    body), 400)
            res = await srv.request('POST', '/json',
                                    {'Content-Type': 'application/json'},
                                    b'{"a": [1]}')
            import json
            self.assertEqual(json.loads(res.body.decode()),
                             {'got': {'a': [1]}})

        self.serve(go)

    def test_invalid_utf8_in_path(self):
        async def go(srv):
            for path in [b'/hello/%E9', b'/hello/%FF%FE', b'/hello/\xff']:
                await self.expect(srv, b'GET ' + path +
                                  b' HTTP/1.1\r\nHost: x\r\n\r\n', (400, 404))

        self.serve(go)

    def test_invalid_header_name(self):
        async def go(srv):
            for line in [b'X A: b', b'X(A): b', b'X-A\x01: b']:
                await self.expect(srv, b'GET / HTTP/1.1\r\nHost: x\r\n' + line
                                  + b'\r\n\r\n', 400)

        self.serve(go)

    def test_space_before_colon_in_header(self):
        async def go(srv):
            await self.expect(srv, b'GET / HTTP/1.1\r\nHost : x\r\n\r\n', 400)

        self.serve(go)

    def test_content_length_with_transfer_encoding(self):
        # both framings at once is a request smuggling vector: reject it
        async def go(srv):
            await self.expect(
                srv, b'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3'
                b'\r\nTransfer-Encoding: chunked\r\n\r\n'
                b'3\r\nabc\r\n0\r\n\r\n', 400)

        self.serve(go)

    def test_bad_chunked_bodies(self):
        async def go(srv):
            for body in [b'zz\r\nhello\r\n0\r\n\r\n',
                         b'5\r\nhelloXX0\r\n\r\n']:
                await self.expect(
                    srv, b'POST /echo HTTP/1.1\r\nHost: x\r\n'
                    b'Transfer-Encoding: chunked\r\n\r\n' + body, 400)
            await self.expect(
                srv, b'POST /echo HTTP/1.1\r\nHost: x\r\n'
                b'Transfer-Encoding: gzip\r\n\r\nabc', (400, 501))

        self.serve(go)

    def test_chunked_body_too_large(self):
        Request.max_content_length = 100

        async def go(srv):
            await self.expect(
                srv, b'POST /echo HTTP/1.1\r\nHost: x\r\n'
                b'Transfer-Encoding: chunked\r\n\r\n'
                b'50\r\n' + b'a' * 80 + b'\r\n50\r\n' + b'b' * 80 +
                b'\r\n0\r\n\r\n', 413)

        self.serve(go)

    def test_lowered_max_readline(self):
        Request.max_readline = 100

        async def go(srv):
            res = await srv.request('GET', '/path/' + 'a' * 50)
            self.assertEqual(res.body, b'50')
            await self.expect(srv, build_request('GET', '/path/' + 'a' * 150),
                              414)
            await self.expect(srv, build_request('GET', '/',
                                                 {'X-Big': 'b' * 150}), 431)

        self.serve(go)

    def test_unknown_methods(self):
        async def go(srv):
            await self.expect(srv, build_request('BREW', '/'), 405)
            await self.expect(srv, build_request('FOO', '/nowhere'), 404)
            await self.expect(srv, build_request('PUT', '/hello/x'), 405)

        self.serve(go)

    def test_client_gone_mid_request(self):
        async def go(srv):
            for data in [b'GET /hel', b'GET / HTTP/1.1\r\nHost: x\r\nX-Par',
                         b'POST /echo HTTP/1.1\r\nContent-Length: 50\r\n\r\n'
                         b'short']:
                c = await srv.client()
                await c.send(data)
                await asyncio.sleep(0.05)
                await c.close()
            await asyncio.sleep(0.05)
            await self.assert_serving(srv)

        self.serve(go)


class TimeoutTest(ServerTestCase):
    base_port = 24000
    idle_timeout = 0.4
    request_timeout = 0.5

    def test_defaults(self):
        app = Microdot()
        self.assertEqual(app.idle_timeout, 30)
        self.assertEqual(app.request_timeout, 10)

    def test_idle_connection_closed(self):
        async def go(srv):
            c = await srv.client()
            await c.send(build_request('GET', '/hello/x'))
            self.assertEqual((await c.read_response()).body, b'hello x')
            start = now()
            self.assertFalse(await c.is_closed(0.1))
            self.assertTrue(await c.is_closed(2))
            self.assertLess(elapsed(start), 1.8)
            await self.assert_serving(srv)

        self.serve(go)

    def test_request_within_idle_timeout_is_served(self):
        async def go(srv):
            c = await srv.client()
            for name in ['a', 'b', 'c']:
                await c.send(build_request('GET', '/hello/' + name))
                self.assertEqual((await c.read_response()).body,
                                 b'hello ' + name.encode())
                await asyncio.sleep(0.2)

        self.serve(go)

    def test_silent_new_connection_closed(self):
        async def go(srv):
            c = await srv.client()
            self.assertTrue(await c.is_closed(2))
            await self.assert_serving(srv)

        self.serve(go)

    def test_stalled_request_dropped(self):
        partials = [
            b'GET /hello/x HT',
            b'GET /hello/x HTTP/1.1\r\nHost: x\r\n',
            b'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n'
            b'only ten..',
        ]

        async def go(srv):
            for data in partials:
                c = await srv.client()
                await c.send(data)
                start = now()
                self.assertTrue(await c.is_closed(2), data)
                self.assertLess(elapsed(start), 1.8)
                # a 408 before closing is fine; anything else is not
                if c.buf:
                    self.assertTrue(c.buf.startswith(b'HTTP/1.1 408') or
                                    c.buf.startswith(b'HTTP/1.0 408'), c.buf)
            await self.assert_serving(srv)

        self.serve(go)

    def test_slow_drip_request_dropped(self):
        async def go(srv):
            c = await srv.client()
            await c.send(b'GET / HTTP/1.1\r\n')
            start = now()
            closed = False
            i = 0
            while elapsed(start) < 3:
                try:
                    await c.send(b'X-Drip-%d: y\r\n' % i)
                except OSError:
                    closed = True
                    break
                i += 1
                if await c.is_closed(0.1):
                    closed = True
                    break
            self.assertTrue(closed, 'server kept a dripping client')
            self.assertLess(elapsed(start), 2)
            await self.assert_serving(srv)

        self.serve(go)

    def test_client_not_reading_is_dropped(self):
        async def go(srv):
            state = srv.app.test_state
            c = await srv.client()
            await c.send(build_request('GET', '/endless'))
            # never read: socket buffers fill up and the server's write
            # blocks; it must give up after request_timeout
            await asyncio.sleep(1.5)
            self.assertGreater(state['chunks'], 0)
            drained = await c.drain_until_closed(timeout=3)
            self.assertIsNotNone(drained, 'server kept writing to a client '
                                 'that did not read')
            self.assertLess(state['chunks'], 16384)
            await self.assert_serving(srv)

        self.serve(go)

    def test_slow_handler_is_not_cut_off(self):
        async def go(srv):
            c = await srv.client()
            await c.send(build_request('GET', '/slow?t=0.8'))
            res = await c.read_response()
            self.assertEqual(res.body, b'slow done')

        self.serve(go)


class LifecycleTest(ServerTestCase):
    base_port = 25000

    def test_shutdown_from_route(self):
        app = make_app()

        async def main():
            srv = await LiveServer(app, self.base_port).start()
            res = await srv.request('GET', '/shutdown')
            self.assertEqual(res.body, b'bye')
            await asyncio.wait_for(srv.task, 3)
            with self.assertRaises(OSError):
                c = await RawClient.connect(srv.port)
                # some stacks accept briefly: then it must not answer
                await c.send(build_request('GET', '/'))
                try:
                    await c.read_response(timeout=0.5)
                except (ConnectionClosed, asyncio.TimeoutError):
                    raise OSError('not served')

        run(main())

    def test_shutdown_lets_requests_in_progress_finish(self):
        app = make_app()

        async def main():
            srv = await LiveServer(app, self.base_port).start()
            c = await RawClient.connect(srv.port)
            try:
                await c.send(build_request('GET', '/slow?t=0.5'))
                await asyncio.sleep(0.1)
                app.shutdown()
                res = await c.read_response()
                self.assertEqual(res.body, b'slow done')
                await asyncio.wait_for(srv.task, 3)
            finally:
                await c.close()

        run(main())

    def test_shutdown_with_idle_keep_alive_connection(self):
        app = make_app()

        async def main():
            srv = await LiveServer(app, self.base_port).start()
            c = await RawClient.connect(srv.port)
            await c.send(build_request('GET', '/hello/k'))
            self.assertEqual((await c.read_response()).body, b'hello k')
            start = now()
            app.shutdown()
            try:
                await asyncio.wait_for(srv.task, 3)
            except asyncio.TimeoutError:
                self.fail('start_server did not end while a kept-alive '
                          'connection was idle')
            finally:
                await c.close()
            self.assertLess(elapsed(start), 3)

        run(main())

    def test_two_apps_at_once(self):
        app1 = make_app()
        app2 = make_app()

        @app2.get('/who')
        async def who(req):
            return 'app2'

        async def main():
            s1 = await LiveServer(app1, self.base_port).start()
            s2 = await LiveServer(app2, self.base_port + 500).start()
            try:
                self.assertEqual((await s1.request('GET', '/who')).status, 404)
                self.assertEqual((await s2.request('GET', '/who')).body,
                                 b'app2')
                await s1.stop()
                self.assertEqual((await s2.request('GET', '/hello/2')).body,
                                 b'hello 2')
            finally:
                await s1.stop()
                await s2.stop()

        run(main())

    def test_restart_after_shutdown(self):
        app = make_app()

        async def main():
            for i in range(2):
                srv = await LiveServer(app, self.base_port).start()
                try:
                    res = await srv.request('GET', '/hello/%d' % i)
                    self.assertEqual(res.body, ('hello %d' % i).encode())
                finally:
                    await srv.stop()

        run(main())

    def test_shutdown_when_not_running(self):
        make_app().shutdown()  # nothing to stop: no error

    def test_many_connections_at_once(self):
        async def one(srv, i):
            res = await srv.request('GET', '/hello/%d' % i)
            return res.body

        async def go(srv):
            bodies = await asyncio.gather(*[one(srv, i) for i in range(20)])
            self.assertEqual(list(bodies),
                             [('hello %d' % i).encode() for i in range(20)])

        self.serve(go)

    @unittest.skipIf(IS_MICROPYTHON, 'sync handlers run inline on '
                     'MicroPython (documented)')
    def test_blocking_sync_handler_does_not_block_others(self):
        import time
        app = make_app()

        @app.get('/block')
        def block(req):
            time.sleep(0.6)
            return 'unblocked'

        async def go(srv):
            slow = asyncio.create_task(srv.request('GET', '/block'))
            await asyncio.sleep(0.1)
            start = now()
            res = await srv.request('GET', '/hello/fast')
            self.assertEqual(res.body, b'hello fast')
            self.assertLess(elapsed(start), 0.4)
            self.assertEqual((await slow).body, b'unblocked')

        self.serve(go, app)

    def test_start_server_on_busy_port_raises(self):
        busy = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        port = free_port(self.base_port)
        busy.bind(socket.getaddrinfo('127.0.0.1', port)[0][-1])
        busy.listen(1)

        async def main():
            try:
                await asyncio.wait_for(
                    make_app().start_server(host='127.0.0.1', port=port), 3)
            except asyncio.TimeoutError:
                return 'hung'
            except OSError as exc:
                return exc.errno
            return 'returned'

        try:
            self.assertEqual(run(main()), errno.EADDRINUSE)
        finally:
            busy.close()

    def test_app_run_blocks_until_shutdown(self):
        app = make_app()
        port = free_port(self.base_port)
        results = {}

        async def client():
            try:
                c = None
                start = now()
                while elapsed(start) < TIMEOUT:
                    try:
                        c = await RawClient.connect(port)
                        break
                    except OSError:
                        await asyncio.sleep(0.05)
                await c.send(build_request('GET', '/hello/run'))
                results['body'] = (await c.read_response()).body
                await c.close()
            finally:
                app.shutdown()

        if IS_MICROPYTHON:
            # app.run() drives the (singleton) loop: the client task rides it
            asyncio.new_event_loop()
            asyncio.create_task(client())
            app.run(host='127.0.0.1', port=port)
        else:
            import threading
            t = threading.Thread(target=app.run,
                                 kwargs={'host': '127.0.0.1', 'port': port})
            t.daemon = True
            t.start()
            asyncio.run(client())
            t.join(5)
            self.assertFalse(t.is_alive(), 'app.run() did not return')
        self.assertEqual(results.get('body'), b'hello run')

    @unittest.skipIf(IS_MICROPYTHON, 'print() output can not be captured '
                     'on MicroPython')
    def test_debug_logs_one_line_per_request(self):
        import io
        app = make_app()
        out = io.StringIO()
        saved = sys.stdout, sys.stderr

        async def main():
            srv = await LiveServer(app, self.base_port, debug=True).start()
            try:
                await srv.request('GET', '/hello/dbg')
                await srv.request('POST', '/echo', body=b'x')
                await srv.request('GET', '/nothing-here')
            finally:
                await srv.stop()

        sys.stdout = sys.stderr = out
        try:
            run(main())
        finally:
            sys.stdout, sys.stderr = saved
        lines = out.getvalue().splitlines()
        self.assertEqual(len([x for x in lines if '/hello/dbg' in x]), 1,
                         lines)
        self.assertEqual(len([x for x in lines
                              if 'POST' in x and '/echo' in x]), 1, lines)
        self.assertEqual(len([x for x in lines if '/nothing-here' in x]), 1,
                         lines)

    def test_no_debug_output_by_default(self):
        if IS_MICROPYTHON:
            self.skipTest('print() output can not be captured on MicroPython')
        import io
        app = make_app()
        out = io.StringIO()
        saved = sys.stdout

        async def main():
            srv = await LiveServer(app, self.base_port).start()
            try:
                await srv.request('GET', '/hello/quiet')
            finally:
                await srv.stop()

        sys.stdout = out
        try:
            run(main())
        finally:
            sys.stdout = saved
        self.assertNotIn('/hello/quiet', out.getvalue())

    @unittest.skipIf(IS_MICROPYTHON, 'TLS test needs PEM certificates made '
                     'by openssl (CPython only)')
    def test_tls(self):
        import shutil
        import ssl
        import subprocess
        if not shutil.which('openssl'):
            self.skipTest('openssl command not found')
        d = make_temp_dir('mdtls')
        try:
            subprocess.run(
                ['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt',
                 'ec_paramgen_curve:prime256v1', '-nodes',
                 '-keyout', d + '/key.pem', '-out', d + '/cert.pem',
                 '-days', '1', '-subj', '/CN=localhost'],
                check=True, capture_output=True)
            sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            sctx.load_cert_chain(d + '/cert.pem', d + '/key.pem')
        finally:
            remove_tree(d)
        cctx = ssl.create_default_context()
        cctx.check_hostname = False
        cctx.verify_mode = ssl.CERT_NONE
        app = make_app()

        async def main():
            srv = await LiveServer(app, self.base_port, ssl=sctx).start()
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection('127.0.0.1', srv.port, ssl=cctx),
                    TIMEOUT)
                c = RawClient(reader, writer)
                srv.clients.append(c)
                await c.send(build_request('GET', '/client'))
                res = await c.read_response()
                self.assertEqual(res.status, 200)
                self.assertIn(b'"https"', res.body)
                await c.send(build_request('GET', '/hello/tls'))
                self.assertEqual((await c.read_response()).body, b'hello tls')
            finally:
                await srv.stop()

        run(main())


if __name__ == '__main__':
    unittest.main()
