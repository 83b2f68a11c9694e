"""The real server over sockets.

What the server writes: status lines, headers, streams, files.
"""
import asyncio

from server_app import ServerTestCase, BIG_SIZE, STREAM_BIG_PIECES, \
    big_file_data
from support import TIMEOUT, ConnectionClosed, build_request, make_temp_dir, \
    now, remove_tree, write_file


def small_buffer(stream, option):
    import socket  # here: ports without sockets skip these tests
    sock = getattr(stream, 's', None) or stream.get_extra_info('socket')
    try:
        sock.setsockopt(socket.SOL_SOCKET, option, 16384)
    except OSError:
        pass  # a board's stack without the option: its buffers are small


class ServerResponsesTest(ServerTestCase):
    base_port = 22000

    @classmethod
    def setUpClass(cls):
        cls.dir = make_temp_dir('mdserver')
        write_file(cls.dir + '/big.bin', big_file_data())
        write_file(cls.dir + '/empty.bin', b'')

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

    def test_stalled_reader_gets_every_byte_and_others_are_served(self):
        # a client that stops reading fills the socket: the server's writes
        # go out in part (on MicroPython, server.SocketStream keeps the rest
        # for drain()) and the other connections are served meanwhile
        async def go(srv):
            c = await srv.client()
            # small socket buffers on both ends (Linux's SO_SNDBUF 7,
            # SO_RCVBUF 8), so the kernel can not take the whole response
            small_buffer(c.writer, 8)
            while not srv.app.server.connections:
                await asyncio.sleep(0.01)
            small_buffer(srv.app.server.connections[0].writer, 7)
            await c.send(build_request('GET', '/stream-big'))
            await asyncio.sleep(0.3)  # not reading
            start = now()
            res = await srv.request('GET', '/hello/meanwhile')
            self.assertEqual(res.body, b'hello meanwhile')
            self.assertLess(now() - start, 2)
            # read on, counting each piece's letter (the chunk sizes are
            # hex digits): nothing kept, so a board's heap is enough
            head = b''
            counts = [0] * 26
            while True:
                data = await asyncio.wait_for(c.reader.read(16384), 10)
                if not data:
                    break
                if head is not None:
                    head += data
                    end = head.find(b'\r\n\r\n')
                    if end < 0:
                        continue
                    self.assertTrue(head.startswith(b'HTTP/1.1 200'), head)
                    data = head[end + 4:]
                    head = None
                for i in range(26):
                    counts[i] += data.count(bytes([65 + i]))
                if data.endswith(b'\r\n0\r\n\r\n'):
                    break
            self.assertIsNone(head)
            for i in range(26):
                pieces = len([k for k in range(STREAM_BIG_PIECES)
                              if k % 26 == i])
                self.assertEqual(counts[i], pieces * 16384, chr(65 + i))
            await c.close()

        self.serve(go)

    def test_files_with_a_large_head_and_empty(self):
        # on MicroPython a file goes out through one reused buffer, the head
        # with its first piece, or alone when it is large
        async def go(srv):
            c = await srv.client()
            await c.send(build_request('GET', '/file-many-headers'))
            res = await c.read_response(timeout=5)
            self.assertEqual(res.status, 200)
            self.assertEqual(res.header('x-pad-39'), 'p' * 20)
            self.assertEqual(res.header('content-length'), str(BIG_SIZE))
            self.assertTrue(res.body == big_file_data())
            if await self.kept_alive(c, res):
                await c.send(build_request('GET', '/file-empty'))
                res = await c.read_response(timeout=5)
                self.assertEqual(res.status, 200)
                self.assertEqual(res.header('content-length'), '0')
                self.assertEqual(res.body, b'')
                await c.send(build_request('GET', '/hello/e'))
                self.assertEqual((await c.read_response()).body, b'hello e')

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
