"""microdot.cors: allowed and refused origins (look-alikes, null, scheme
and port), credentials, preflight through app.options_handler, Vary, and
CORS headers on error replies."""
import unittest

from microdot import Microdot, abort
from microdot.cors import CORS, normalize_origin
from support import run, make_client
from security_support import vary

GOOD = 'https://panel.example.com'


def make_app(**options):
    app = Microdot()
    options.setdefault('allowed_origins', [GOOD])
    app.cors = CORS(app, **options)

    @app.route('/api', methods=['GET', 'POST', 'DELETE'])
    async def api(req):
        return {'ok': True}

    @app.get('/boom')
    async def boom(req):
        raise RuntimeError('boom')

    @app.get('/bad')
    async def bad(req):
        abort(400)

    @app.post('/json')
    async def json_body(req):
        return {'got': req.json}

    @app.route('/own', methods=['OPTIONS'])
    async def own(req):
        return '', 204

    return app


def request(app, method, path, origin=None, headers=None, body=None):
    headers = dict(headers or {})
    if origin is not None:
        headers['Origin'] = origin
    return run(make_client(app).request(method, path, headers=headers,
                                        body=body))


def preflight(app, origin, method='DELETE', path='/api', asked=None):
    headers = {'Access-Control-Request-Method': method}
    if asked:
        headers['Access-Control-Request-Headers'] = asked
    return request(app, 'OPTIONS', path, origin, headers)


LOOKALIKES = (
    'https://evil.example', 'http://panel.example.com',
    'https://panel.example.com:8443', 'https://panel.example.com.evil.net',
    'https://evilpanel.example.com', 'https://sub.panel.example.com',
    'https://example.com', 'https://panel.example.co', 'null', 'NULL',
    'https://panel.example.com/', 'https://panel.example.com/x',
    'https://user@panel.example.com', 'panel.example.com',
    'https://panel.example.com\\@evil.example', 'ftp://panel.example.com',
    'https://', 'https://:443', 'https://panel.example.com:', '*', ' ',
    'https://panel.example.com:44x3', 'x' * 300,
)


class CORSTest(unittest.TestCase):
    def test_allowed_origin(self):
        res = request(make_app(), 'GET', '/api', GOOD)
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.headers['Access-Control-Allow-Origin'], GOOD)
        self.assertNotIn('Access-Control-Allow-Credentials', res.headers)

    def test_same_origin_other_spelling(self):
        for origin in ('https://PANEL.example.com',
                       'https://panel.example.com:443'):
            res = request(make_app(), 'GET', '/api', origin)
            self.assertEqual(res.headers['Access-Control-Allow-Origin'],
                             origin)

    def test_refused_origins(self):
        app = make_app(allow_credentials=True)
        for origin in LOOKALIKES:
            res = request(app, 'GET', '/api', origin)
            self.assertEqual(res.status_code, 200, origin)
            for name in res.headers:
                self.assertFalse(name.lower().startswith('access-control-'),
                                 (origin, name))
            self.assertIn('origin', vary(res))

    def test_refused_preflights(self):
        app = make_app(allow_credentials=True)
        for origin in LOOKALIKES:
            res = preflight(app, origin)
            self.assertEqual(res.status_code, 200, origin)
            self.assertNotIn('Access-Control-Allow-Origin', res.headers)
            self.assertNotIn('Access-Control-Allow-Methods', res.headers)
            self.assertIn('access-control-request-method', vary(res))

    def test_credentials_echo_origin_never_star(self):
        for allowed in ([GOOD], '*'):
            app = make_app(allowed_origins=allowed, allow_credentials=True)
            res = request(app, 'GET', '/api', GOOD)
            self.assertEqual(res.headers['Access-Control-Allow-Origin'],
                             GOOD)
            self.assertEqual(
                res.headers['Access-Control-Allow-Credentials'], 'true')

    def test_star_without_credentials(self):
        app = make_app(allowed_origins='*')
        res = request(app, 'GET', '/api', 'https://anyone.example')
        self.assertEqual(res.headers['Access-Control-Allow-Origin'], '*')
        res = request(app, 'GET', '/api', 'null')
        self.assertNotIn('Access-Control-Allow-Origin', res.headers)

    def test_null_only_when_listed(self):
        app = make_app(allowed_origins=['null'])
        res = request(app, 'GET', '/api', 'null')
        self.assertEqual(res.headers['Access-Control-Allow-Origin'], 'null')

    def test_none_allowed_by_default(self):
        res = request(make_app(allowed_origins=None), 'GET', '/api', GOOD)
        self.assertNotIn('Access-Control-Allow-Origin', res.headers)

    def test_no_origin(self):
        res = request(make_app(), 'GET', '/api')
        self.assertNotIn('Access-Control-Allow-Origin', res.headers)
        self.assertIn('origin', vary(res))

    def test_vary_origin(self):
        res = request(make_app(), 'GET', '/api', GOOD)
        self.assertIn('origin', vary(res))

    def test_preflight(self):
        res = preflight(make_app(allow_credentials=True, max_age=600), GOOD,
                        asked='Content-Type, X-Token')
        self.assertEqual(res.status_code, 200)
        h = res.headers
        self.assertEqual(h['Access-Control-Allow-Origin'], GOOD)
        self.assertEqual(h['Access-Control-Allow-Credentials'], 'true')
        self.assertEqual(h['Access-Control-Allow-Methods'], 'DELETE')
        self.assertEqual(h['Access-Control-Allow-Headers'],
                         'Content-Type, X-Token')
        self.assertEqual(h['Access-Control-Max-Age'], '600')
        self.assertIn('POST', h['Allow'])
        self.assertIn('origin', vary(res))
        self.assertIn('access-control-request-method', vary(res))

    def test_preflight_configured_lists(self):
        app = make_app(allowed_methods=['GET', 'POST'],
                       allowed_headers=['Content-Type'])
        res = preflight(app, GOOD, method='PUT', asked='X-Evil')
        self.assertEqual(res.headers['Access-Control-Allow-Methods'],
                         'GET, POST')
        self.assertEqual(res.headers['Access-Control-Allow-Headers'],
                         'Content-Type')

    def test_preflight_on_own_options_route(self):
        res = preflight(make_app(), GOOD, path='/own')
        self.assertEqual(res.status_code, 204)
        self.assertEqual(res.headers['Access-Control-Allow-Origin'], GOOD)
        self.assertEqual(res.headers['Access-Control-Allow-Methods'],
                         'DELETE')

    def test_options_handler_replaced(self):
        app = make_app()
        self.assertEqual(app.options_handler, app.cors.options_handler)

    def test_expose_headers(self):
        app = make_app(expose_headers=['X-Count', 'X-Page'])
        res = request(app, 'GET', '/api', GOOD)
        self.assertEqual(res.headers['Access-Control-Expose-Headers'],
                         'X-Count, X-Page')

    def test_error_replies_carry_cors(self):
        app = make_app(allow_credentials=True)
        for method, path, headers, body in (
                ('GET', '/missing', None, None),
                ('GET', '/boom', None, None),
                ('GET', '/bad', None, None),
                ('PUT', '/api', None, None),
                ('POST', '/json', {'Content-Type': 'application/json'},
                 b'{bad json'),
                ('POST', '/json', {'Content-Length': 'x1'}, None)):
            res = request(app, method, path, GOOD, headers, body)
            self.assertTrue(res.status_code >= 400, path)
            self.assertEqual(res.headers.get('Access-Control-Allow-Origin'),
                             GOOD, (method, path, res.status_code))
            self.assertEqual(
                res.headers.get('Access-Control-Allow-Credentials'), 'true')

    def test_unparseable_request(self):
        app = make_app(allow_credentials=True)
        for method, path in (('G@T', '/api'), ('GET', '/api%ff'),
                             ('GET', 'api')):
            self.assertEqual(request(app, method, path, GOOD).status_code,
                             400, (method, path))

    def test_handle_cors_false(self):
        app = Microdot()
        cors = CORS(app, allowed_origins=[GOOD], handle_cors=False)

        @app.get('/')
        async def index(req):
            return 'x', cors.get_cors_headers(req)

        self.assertIsNot(app.options_handler, cors.options_handler)
        res = request(app, 'GET', '/', GOOD)
        self.assertEqual(res.headers['Access-Control-Allow-Origin'], GOOD)

    def test_normalize_origin(self):
        self.assertEqual(normalize_origin('HTTPS://A.Example:443'),
                         'https://a.example')
        self.assertEqual(normalize_origin('http://a:80'), 'http://a')
        self.assertEqual(normalize_origin('http://a:8080'), 'http://a:8080')
        self.assertEqual(normalize_origin('http://[::1]:8080'),
                         'http://[::1]:8080')
        for bad in (None, '', 'null', 'a', 'http://', 'http://a/b',
                    'http://a:', 'http://a:b', 'gopher://a', 'http://.a',
                    'http://a.', 'http://a..b:80'):
            self.assertIsNone(normalize_origin(bad), bad)


if __name__ == '__main__':
    unittest.main()
