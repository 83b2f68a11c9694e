"""microdot.test_client.TestClient: requests without a server."""
import unittest

from microdot import Microdot, Response
from microdot.test_client import TestClient as Client
from support import run


def echo_app():
    app = Microdot()

    @app.route('/echo', methods=['GET', 'POST', 'PUT', 'PATCH', 'DELETE',
                                 'PURGE'])
    async def echo(req):
        return {
            'method': req.method,
            'path': req.path,
            'args': dict((k, req.args.getlist(k)) for k in req.args),
            'ctype': req.content_type,
            'body': req.body.decode() if req.body else '',
            'json': req.json,
            'x': req.headers.get('X-Test'),
            'cookies': req.cookies,
            'host': req.headers.get('Host'),
            'scheme': req.scheme,
        }

    @app.get('/set')
    async def set_cookies(req):
        res = Response('set')
        res.set_cookie('a', '1')
        res.set_cookie('b', '2', path='/', http_only=True)
        return res

    @app.get('/delete')
    async def delete(req):
        res = Response('deleted')
        res.delete_cookie('a')
        return res

    @app.get('/expire')
    async def expire(req):
        res = Response('expired')
        res.set_cookie('a', '', max_age=0)
        res.set_cookie('b', 'x', expires='Thu, 01 Jan 1970 00:00:01 GMT')
        return res

    @app.get('/text')
    async def text(req):
        return 'caf\u00e9', {'Content-Type': 'text/plain; charset=UTF-8'}

    @app.get('/stream')
    async def stream(req):
        def gen():
            yield 'a'
            yield b'b'
            yield 'c'
        return gen()

    return app


class TestClientTest(unittest.TestCase):
    def setUp(self):
        self.client = Client(echo_app())

    def test_get(self):
        res = run(self.client.get('/echo?a=1&a=2&b=3'))
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.reason, 'OK')
        self.assertTrue(res.headers['Content-Type'].startswith(
            'application/json'))
        self.assertIsInstance(res.body, bytes)
        self.assertEqual(res.json['method'], 'GET')
        self.assertEqual(res.json['path'], '/echo')
        self.assertEqual(res.json['args'], {'a': ['1', '2'], 'b': ['3']})

    def test_all_methods(self):
        for name in ['get', 'post', 'put', 'patch', 'delete']:
            res = run(getattr(self.client, name)('/echo'))
            self.assertEqual(res.json['method'], name.upper())
        res = run(self.client.request('PURGE', '/echo'))
        self.assertEqual(res.json['method'], 'PURGE')

    def test_headers(self):
        res = run(self.client.get('/echo', headers={'X-Test': 'hello'}))
        self.assertEqual(res.json['x'], 'hello')

    def test_json_argument(self):
        res = run(self.client.post('/echo', json={'k': [1, 'v']}))
        self.assertEqual(res.json['json'], {'k': [1, 'v']})
        self.assertTrue(res.json['ctype'].startswith('application/json'))
        res = run(self.client.put('/echo', json=[1, 2]))
        self.assertEqual(res.json['json'], [1, 2])
        res = run(self.client.request('PATCH', '/echo', json={'p': 1}))
        self.assertEqual(res.json['json'], {'p': 1})

    def test_body_argument(self):
        res = run(self.client.post('/echo', body='raw text',
                                   headers={'Content-Type': 'text/plain'}))
        self.assertEqual(res.json['body'], 'raw text')
        self.assertEqual(res.json['ctype'], 'text/plain')
        res = run(self.client.patch('/echo', body=b'raw bytes'))
        self.assertEqual(res.json['body'], 'raw bytes')
        res = run(self.client.delete('/echo', body=b'x'))
        self.assertEqual(res.json['body'], 'x')

    def test_text_and_body(self):
        res = run(self.client.get('/text'))
        self.assertEqual(res.text, 'caf\u00e9')
        self.assertEqual(res.body, 'caf\u00e9'.encode())
        self.assertIsNone(res.json)

    def test_streamed_body_is_collected(self):
        res = run(self.client.get('/stream'))
        self.assertEqual(res.body, b'abc')
        self.assertEqual(res.text, 'abc')

    def test_404(self):
        res = run(self.client.get('/nope'))
        self.assertEqual(res.status_code, 404)
        self.assertEqual(res.reason, 'Not Found')

    def test_initial_cookies(self):
        client = Client(echo_app(), cookies={'c': '3', 'd': 'four'})
        res = run(client.get('/echo'))
        self.assertEqual(res.json['cookies'], {'c': '3', 'd': 'four'})

    def test_cookie_jar(self):
        async def go():
            r1 = await self.client.get('/set')
            r2 = await self.client.get('/echo')
            r3 = await self.client.get('/delete')
            r4 = await self.client.get('/echo')
            return r1, r2, r3, r4

        r1, r2, r3, r4 = run(go())
        self.assertEqual(r1.text, 'set')
        self.assertEqual(r2.json['cookies'], {'a': '1', 'b': '2'})
        self.assertEqual(r3.text, 'deleted')
        self.assertEqual(r4.json['cookies'], {'b': '2'})

    def test_cookie_jar_honours_expiry(self):
        async def go():
            await self.client.get('/set')
            await self.client.get('/expire')
            return await self.client.get('/echo')

        self.assertEqual(run(go()).json['cookies'], {})

    def test_explicit_cookie_header_combines_with_jar(self):
        client = Client(echo_app(), cookies={'c': '3'})
        res = run(client.get('/echo', headers={'Cookie': 'e=5'}))
        self.assertEqual(res.json['cookies'].get('e'), '5')

    def test_scheme_and_host(self):
        client = Client(echo_app(), scheme='https', host='example.com')
        res = run(client.get('/echo'))
        self.assertEqual(res.json['scheme'], 'https')
        self.assertEqual(res.json['host'], 'example.com')
        res = run(self.client.get('/echo'))
        self.assertEqual(res.json['scheme'], 'http')


if __name__ == '__main__':
    unittest.main()
