"""The real server over sockets.

Bad input: each case is followed by a good request that must be served.
"""
import asyncio

from microdot import Request
from server_app import ServerTestCase, HUGE_LINE, make_app
from support import ConnectionClosed, build_request


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
            # and digits of other scripts: superscript 2, Arabic-Indic 5
            for value in ['abc', '-5', '1.5', '5, 6', '0x10', '', '+5',
                          '\u00b2', '\u0665', '1_0']:
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

    def test_error_handlers_answer_body_errors_then_close(self):
        app = make_app()

        @app.errorhandler(413)
        async def too_large(req):
            return 'custom 413 for ' + req.path, 413

        @app.errorhandler(400)
        async def bad(req):
            return 'custom 400', 400

        async def go(srv):
            for data, status, body in [
                    (b'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: '
                     + str(Request.max_content_length + 1).encode() +
                     b'\r\n\r\n', 413, b'custom 413 for /echo'),
                    (b'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: '
                     b'x\r\n\r\n', 400, b'custom 400'),
                    (b'BAD\r\n\r\n', 400, None)]:
                c = await srv.client()
                await c.send(data + build_request('GET', '/hello/pipelined'))
                res = await c.read_response()
                self.assertEqual(res.status, status)
                if body is not None:
                    self.assertEqual(res.body, body)
                else:
                    self.assertNotEqual(res.body, b'custom 400')
                # the body's framing is unknown: the connection must end
                # (after the server's 1 s linger, checked by a watchdog
                # that ticks once a second with the default timeouts)
                self.assertTrue(await c.is_closed(5))
                await c.close()
            await self.assert_serving(srv)

        self.serve(go, app)

    def test_lenient_but_valid_heads(self):
        async def go(srv):
            for data, body in [
                    # several spaces before a header value
                    (b'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length:   5'
                     b'\r\n\r\nhello', b'hello'),
                    (b'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:  chunked\r\n'
                     b'\r\n2\r\nhi\r\n0\r\n\r\n', b'hi'),
                    # bare-LF lines ended by a CRLF blank line
                    (b'GET /hello/mixed HTTP/1.1\nHost: x\n\r\n',
                     b'hello mixed')]:
                c = await srv.client()
                await c.send(data)
                res = await c.read_response()
                self.assertEqual((res.status, res.body), (200, body), data)
                await c.close()

        self.serve(go)

    def test_empty_transfer_encoding_and_non_ascii_method(self):
        async def go(srv):
            await self.expect(
                srv, b'POST /echo HTTP/1.1\r\nTransfer-Encoding:\r\n'
                b'Content-Length: 5\r\n\r\nhello', 400)
            await self.expect(srv, 'G\u00c9T / HTTP/1.1\r\n\r\n'.encode(),
                              400)

        self.serve(go)

    def test_options_asterisk(self):
        async def go(srv):
            res = await srv.request('OPTIONS', '*')
            self.assertEqual(res.status, 200)
            allow = [m.strip() for m in res.header('allow').split(',')]
            for method in ['GET', 'POST', 'HEAD', 'OPTIONS']:
                self.assertIn(method, allow)

        self.serve(go)

    def test_chunked_body_split_between_cr_and_lf(self):
        # the line end after a chunk's data may arrive in two segments
        async def go(srv):
            c = await srv.client()
            await c.send(b'POST /echo HTTP/1.1\r\nHost: x\r\n'
                         b'Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r')
            await asyncio.sleep(0.2)
            await c.send(b'\n0\r\n\r')
            await asyncio.sleep(0.2)
            await c.send(b'\n')
            res = await c.read_response()
            self.assertEqual((res.status, res.body), (200, b'abc'))

        self.serve(go)

    def test_streamed_chunked_body_over_the_limit_closes(self):
        Request.max_body_length = 64
        Request.max_content_length = 100

        async def go(srv):
            c = await srv.client()
            await c.send(b'POST /stream-in HTTP/1.1\r\nHost: x\r\n'
                         b'Transfer-Encoding: chunked\r\n\r\n'
                         b'50\r\n' + b'a' * 80 + b'\r\n50\r\n' + b'b' * 80
                         + b'\r\n0\r\n\r\n'
                         + build_request('GET', '/hello/smuggled'))
            res = await c.read_response()
            self.assertEqual(res.status, 413)
            self.assertTrue(await c.is_closed(2))
            self.assertNotIn(b'smuggled', c.buf)
            await c.close()
            await self.assert_serving(srv)

        self.serve(go)

    def test_head_over_max_head_length(self):
        headers = {}
        for i in range(5):
            headers['X-Big-%d' % i] = 'v' * 1900

        async def go(srv):
            await self.expect(srv, build_request('GET', '/', headers), 431)
            Request.max_head_length = 16 * 1024
            res = await srv.request('GET', '/hello/big', headers)
            self.assertEqual(res.status, 200)

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
