"""The shipped middleware, url_for and JSON errors under ASGI and WSGI
(httpx's in-process transports): the same classes, unchanged, on another
server. CPython only."""
import sys
import unittest

from support import run

IS_MICROPYTHON = sys.implementation.name == 'micropython'
httpx = None
if not IS_MICROPYTHON:
    try:
        import httpx
    except ImportError:
        pass


def make_app():
    from microdot import Microdot, abort
    from microdot.trustedhost import TrustedHost
    from microdot.httpsredirect import HTTPSRedirect
    from microdot.compress import GZip
    from microdot.securityheaders import SecurityHeaders
    from microdot.timing import Timing
    from microdot.rest import json_errors, paginate

    app = Microdot(middleware=[
        (TrustedHost, {'allowed_hosts': ['testserver', '*.example.com']}),
        (HTTPSRedirect, {'trust_proxy': True}),
        SecurityHeaders])
    api = Microdot()

    @api.get('/items')
    async def get_items(request):
        return paginate(request, ['reading %d' % i for i in range(300)],
                        per_page=100)

    @api.get('/items/<int:id>')
    async def get_item(request, id):
        abort(404, 'no item %d' % id)

    app.mount(api, '/api', middleware=[Timing, (GZip, {'minimum_size': 100})])
    json_errors(app, url_prefix='/api')
    return app


HTTPS = {'X-Forwarded-Proto': 'https'}


def check(test, get):
    """The same checks through either transport; ``get(path, headers)``
    returns an httpx response."""
    res = get('/api/items?page=2', dict(HTTPS, **{'Accept-Encoding':
                                                  'gzip'}))
    test.assertEqual(res.status_code, 200)
    test.assertEqual(res.headers['content-encoding'], 'gzip')
    body = res.json()  # httpx decompressed it
    test.assertEqual(body['items'][0], 'reading 100')
    test.assertEqual(body['_links']['next'],
                     '/api/items?page=3&per_page=100')
    test.assertTrue(res.headers['server-timing'].startswith('app;dur='))
    test.assertEqual(res.headers['x-frame-options'], 'DENY')
    test.assertIn('accept-encoding', res.headers['vary'].lower())
    res = get('/api/items/5', HTTPS)
    test.assertEqual(res.status_code, 404)
    test.assertEqual(res.json(), {'error': 'Not Found',
                                  'message': 'no item 5'})
    res = get('/api/items', {'X-Forwarded-Proto': 'http'})
    test.assertEqual(res.status_code, 307)
    test.assertEqual(res.headers['location'], 'https://testserver/api/items')
    res = get('/api/items', dict(HTTPS, Host='evil.com'))
    test.assertEqual(res.status_code, 400)
    test.assertEqual(res.json()['error'], 'Bad Request')


@unittest.skipIf(IS_MICROPYTHON, 'ASGI and WSGI servers are CPython only')
class AsgiWsgiTest(unittest.TestCase):
    def setUp(self):
        if httpx is None:
            self.skipTest('httpx is not installed')

    def test_asgi(self):
        from microdot.asgi import asgi_app
        app = asgi_app(make_app())

        async def main():
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport,
                                         base_url='http://testserver') as c:
                responses = {}
                for path, headers in (
                        ('/api/items?page=2', dict(HTTPS, **{
                            'Accept-Encoding': 'gzip'})),
                        ('/api/items/5', HTTPS),
                        ('/api/items', {'X-Forwarded-Proto': 'http'}),
                        ('/api/items', dict(HTTPS, Host='evil.com'))):
                    responses[path, tuple(sorted(headers.items()))] = \
                        await c.get(path, headers=headers)
                return responses
        responses = run(main())
        check(self, lambda path, headers: responses[
            path, tuple(sorted(headers.items()))])

    def test_wsgi(self):
        from microdot.wsgi import wsgi_app
        app = wsgi_app(make_app())
        transport = httpx.WSGITransport(app=app)
        with httpx.Client(transport=transport,
                          base_url='http://testserver') as c:
            check(self, lambda path, headers: c.get(path, headers=headers))


if __name__ == '__main__':
    unittest.main()
