"""Hostile input found by a hostile-input run: request smuggling through
chunk sizes, padded framing headers, Host rules, NUL and overlong UTF-8 in
URLs; and the connection switches (keep_alive, max_connections)."""
import asyncio
import unittest

from microdot import Microdot, Response
from server_app import ServerTestCase, make_app
from support import ConnectionClosed, IS_MICROPYTHON, call, run


class SmugglingTest(ServerTestCase):
    base_port = 24100

    async def only_one(self, srv, data):
        """``data`` must get exactly one response, then the connection
        closes: nothing inside its body is taken for a second request."""
        c = await srv.client()
        await c.send(data)
        res = await c.read_response()
        try:
            second = await c.read_response(timeout=1.5)
        except (ConnectionClosed, EOFError, OSError, asyncio.TimeoutError):
            second = None
        await c.close()
        return res, second

    def test_bare_lf_after_chunk_size(self):
        smuggled = b'GET /hello/smuggled HTTP/1.1\r\nHost: x\r\n\r\n'
        data = (b'POST /echo HTTP/1.1\r\nHost: x\r\n'
                b'Transfer-Encoding: chunked\r\n\r\n'
                b'%x\n' % len(smuggled) + smuggled + b'\r\n0\r\n\r\n')

        async def go(srv):
            res, second = await self.only_one(srv, data)
            self.assertEqual(res.status, 400)
            self.assertIsNone(second)
            await self.assert_serving(srv)

        self.serve(go)

    def test_padded_framing_values(self):
        cases = [
            b'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: \x0b5\r\n'
            b'\r\nhello',
            b'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\x0c\r\n'
            b'\r\nhello',
            b'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: '
            b'\x0bchunked\r\n\r\n0\r\n\r\n',
            b'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: '
            b'chunked\r\n\r\n 5\r\nhello\r\n0\r\n\r\n',
        ]

        async def go(srv):
            for data in cases:
                res, second = await self.only_one(srv, data)
                self.assertEqual(res.status, 400, data)
            await self.assert_serving(srv)

        self.serve(go)


class HostTest(unittest.TestCase):
    def setUp(self):
        app = self.app = Microdot()

        @app.get('/')
        async def index(req):
            return 'ok'

    def raw(self, head):
        from microdot.connection import Connection
        from microdot.test_client import _Writer
        from microdot.body import BytesStream
        from microdot.server import serve_connection
        writer = _Writer()
        run(serve_connection(self.app, BytesStream(head), writer))
        return b''.join(writer.chunks)

    def test_host_rules(self):
        cases = [
            (b'GET / HTTP/1.1\r\n\r\n', b' 400 '),
            (b'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', b' 400 '),
            (b'GET / HTTP/1.1\r\nHost: a b\r\n\r\n', b' 400 '),
            (b'GET / HTTP/1.1\r\nHost: a/b\r\n\r\n', b' 400 '),
            (b'GET / HTTP/1.1\r\nHost: u@a\r\n\r\n', b' 400 '),
            (b'GET / HTTP/1.1\r\nHost: example.com:8080\r\n\r\n', b' 200 '),
            (b'GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n', b' 200 '),
            (b'GET / HTTP/1.0\r\n\r\n', b' 200 '),  # 1.0 needs no Host
        ]
        for head, status in cases:
            out = self.raw(head)
            self.assertEqual(out[8:13], status, head)


class URLTest(unittest.TestCase):
    def setUp(self):
        app = self.app = Microdot()

        @app.get('/<path:p>')
        async def any_path(req, p):
            return {'p': p, 'args': req.args}

    def test_nul_in_path_is_400(self):
        for path in ('/a%00b', '/%00', '/x/%00.txt'):
            self.assertEqual(call(self.app, 'GET', path).status_code, 400,
                             path)

    def test_overlong_utf8_same_everywhere(self):
        for query in ('q=%C0%AF', 'q=%E0%80%AF', 'q=%ED%A0%80',
                      'q=%F4%90%80%80', 'q=%C3'):
            res = call(self.app, 'GET', '/x?' + query)
            self.assertEqual(res.status_code, 400, query)
        res = call(self.app, 'GET', '/x?q=%C3%A9')
        self.assertEqual(res.json['args'], {'q': '\u00e9'})


class CookieAndRedirectTest(unittest.TestCase):
    def test_set_cookie_refuses_splitting(self):
        res = Response('x')
        for kwargs in ({'value': 'a;b'}, {'value': 'a\r\nX: y'},
                       {'value': 'v', 'path': '/;x'},
                       {'value': 'v', 'domain': 'a\nb'},
                       {'value': 'v', 'path': '/\r'}):
            value = kwargs.pop('value')
            with self.assertRaises(ValueError):
                res.set_cookie('c', value, **kwargs)
        for name in ('a b', 'a;b', 'a=b', '', 'caf\u00e9'):
            with self.assertRaises(ValueError):
                res.set_cookie(name, 'v')
        res.set_cookie('ok', 'fine', path='/x', domain='example.com')

    def test_redirect_refuses_line_breaks(self):
        for location in ('/a\r\nSet-Cookie: x=1', '/a\nb'):
            with self.assertRaises(ValueError):
                Response.redirect(location)


class SwitchesTest(ServerTestCase):
    base_port = 24300

    def test_keep_alive_off_closes_after_each_response(self):
        app = make_app()
        app.keep_alive = False

        async def go(srv):
            c = await srv.client()
            await c.send(b'GET /hello/a HTTP/1.1\r\nHost: x\r\n\r\n')
            res = await c.read_response()
            self.assertEqual(res.header('connection'), 'close')
            self.assertTrue(await c.is_closed(2))

        self.serve(go, app)

    def test_max_connections_closes_oldest_idle(self):
        app = make_app()
        app.max_connections = 2

        async def go(srv):
            first = await srv.client()
            await first.send(b'GET /hello/1 HTTP/1.1\r\nHost: x\r\n\r\n')
            await first.read_response()
            second = await srv.client()
            await second.send(b'GET /hello/2 HTTP/1.1\r\nHost: x\r\n\r\n')
            await second.read_response()
            third = await srv.client()
            await third.send(b'GET /hello/3 HTTP/1.1\r\nHost: x\r\n\r\n')
            res = await third.read_response()
            self.assertEqual(res.body, b'hello 3')
            self.assertTrue(await first.is_closed(2))  # the oldest idle
            await second.send(b'GET /hello/2b HTTP/1.1\r\nHost: x\r\n\r\n')
            res = await second.read_response()
            self.assertEqual(res.body, b'hello 2b')

        self.serve(go, app)


class StartServingTest(unittest.TestCase):
    def test_start_serving_false(self):
        app = Microdot()
        if IS_MICROPYTHON:
            with self.assertRaises(ValueError):
                run(app.start_server(port=0, start_serving=False))
            return

        @app.get('/')
        async def index(req):
            return 'served'

        async def go():
            listener = await app.start_server('127.0.0.1', 0,
                                              start_serving=False)
            self.assertFalse(listener.is_serving())
            port = listener.sockets[0].getsockname()[1]
            await listener.start_serving()
            reader, writer = await asyncio.open_connection('127.0.0.1', port)
            writer.write(b'GET / HTTP/1.1\r\nHost: x\r\n'
                         b'Connection: close\r\n\r\n')
            data = await reader.read()
            writer.close()
            app.shutdown()
            listener.close()
            await listener.wait_closed()
            return data

        self.assertTrue(run(go()).endswith(b'served'))


if __name__ == '__main__':
    unittest.main()
