"""The real server over sockets.

Persistent connections, pipelining, HTTP/1.0, chunked bodies.
"""
import asyncio
import unittest

from microdot import Request
from server_app import ServerTestCase, make_app
from support import IS_MICROPYTHON, ConnectionClosed, build_request, now


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

    @unittest.skipIf(IS_MICROPYTHON, 'needs weakref (CPython)')
    def test_idle_connection_holds_no_request_or_response(self):
        # an idle kept-alive connection must not keep its last request and
        # response alive (on a board each held ~0.5 KB per connection)
        import gc
        import weakref
        app = make_app(None)
        refs = []

        @app.get('/remember')
        async def remember(req):
            refs.append(weakref.ref(req))
            return 'kept'

        @app.after_request
        def keep_response(req, res):
            if req.path == '/remember':
                refs.append(weakref.ref(res))

        async def go(srv):
            c = await srv.client()
            await c.send(build_request('GET', '/remember'))
            self.assertEqual((await c.read_response()).body, b'kept')
            await asyncio.sleep(0.1)  # the connection waits, idle
            gc.collect()
            self.assertEqual(len(refs), 2)
            self.assertEqual([r() for r in refs], [None, None])
            self.assertFalse(await c.is_closed(0.1))
            await c.send(build_request('GET', '/hello/again'))
            self.assertEqual((await c.read_response()).body, b'hello again')

        self.serve(go, app)

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

    def test_bare_lf_heads(self):
        async def go(srv):
            c = await srv.client()
            # a bare-LF head followed, in the same segment, by a CRLF one:
            # the first blank line ends the head, not a later CRLF CRLF
            await c.send(b'GET /hello/lf HTTP/1.1\nHost: x\n\n' +
                         build_request('GET', '/hello/crlf') +
                         b'POST /echo HTTP/1.1\nHost: x\nContent-Length: 6\n\n'
                         b'ab\r\n\r\n' + build_request('GET', '/hello/end'))
            for body in [b'hello lf', b'hello crlf', b'ab\r\n\r\n',
                         b'hello end']:
                res = await c.read_response()
                self.assertEqual((res.status, res.body), (200, body))

        self.serve(go)

    def test_streamed_chunked_body_keeps_the_connection(self):
        Request.max_body_length = 64
        body = (b'40\r\n' + b'a' * 64 + b'\r\n40\r\n' + b'b' * 64 +
                b'\r\n0\r\n\r\n')
        head = (b'Host: x\r\nTransfer-Encoding: chunked\r\n\r\n')

        async def go(srv):
            c = await srv.client()
            # read by the handler, then left unread (drained by the server)
            await c.send(b'POST /stream-in HTTP/1.1\r\n' + head + body +
                         b'POST /ignore HTTP/1.1\r\n' + head + body +
                         build_request('GET', '/hello/after'))
            res = await c.read_response()
            self.assertEqual((res.status, res.body), (200, b'128'))
            res = await c.read_response()
            self.assertEqual((res.status, res.body), (200, b'ignored'))
            self.assertEqual((await c.read_response()).body, b'hello after')

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
