"""microdot.csrf: each Sec-Fetch-Site value, each Origin shape (look-alike,
null, scheme, port, subdomain), the CORS allowed list, safe methods,
exempt and protect."""
import unittest

from microdot import Microdot
from microdot.cors import CORS
from microdot.csrf import CSRF
from support import run, make_client
from security_support import vary

PANEL = 'https://panel.example.com'


def make_app(cors_origins=None, **options):
    app = Microdot()
    cors = CORS(app, allowed_origins=cors_origins) if cors_origins else None
    csrf = app.csrf = CSRF(app, cors, **options)

    @app.route('/pay', methods=['GET', 'HEAD', 'POST', 'PUT', 'PATCH',
                                'DELETE', 'PURGE', 'OPTIONS'])
    async def pay(req):
        return 'paid'

    @app.post('/hook')
    @csrf.exempt
    async def hook(req):
        return 'hooked'

    @app.post('/guarded')
    @csrf.protect
    async def guarded(req):
        return 'guarded'

    return app


def send(app, method='POST', site=None, origin=None, path='/pay',
         host=None):
    headers = {}
    if site is not None:
        headers['Sec-Fetch-Site'] = site
    if origin is not None:
        headers['Origin'] = origin
    client = make_client(app, host=host) if host else make_client(app)
    return run(client.request(method, path, headers=headers))


class SecFetchSiteTest(unittest.TestCase):
    def test_values(self):
        app = make_app()
        for site, status in (('same-origin', 200), ('none', 200),
                             ('Same-Origin', 200), ('same-site', 403),
                             ('cross-site', 403), ('cross-site ', 403),
                             ('', 403), ('weird', 403)):
            res = send(app, site=site)
            self.assertEqual(res.status_code, status, site)

    def test_same_site_with_subdomains(self):
        app = make_app(allow_subdomains=True)
        self.assertEqual(send(app, site='same-site').status_code, 200)
        self.assertEqual(send(app, site='cross-site').status_code, 403)

    def test_every_unsafe_method(self):
        app = make_app()
        for method in ('POST', 'PUT', 'PATCH', 'DELETE', 'PURGE'):
            res = send(app, method, site='cross-site')
            self.assertEqual(res.status_code, 403, method)

    def test_safe_methods_pass(self):
        app = make_app()
        for method in ('GET', 'HEAD', 'OPTIONS'):
            res = send(app, method, site='cross-site',
                       origin='https://evil.example')
            self.assertEqual(res.status_code, 200, method)

    def test_cross_site_with_cors_listed_origin(self):
        app = make_app([PANEL])
        self.assertEqual(send(app, site='cross-site',
                              origin=PANEL).status_code, 200)
        for origin in (None, 'https://evil.example', 'null',
                       'http://panel.example.com'):
            self.assertEqual(send(app, site='cross-site',
                                  origin=origin).status_code, 403, origin)

    def test_cors_star_does_not_open_csrf(self):
        app = make_app('*')
        self.assertEqual(send(app, site='cross-site',
                              origin='https://evil.example').status_code, 403)
        self.assertEqual(send(app, origin='https://evil.example').status_code,
                         403)

    def test_vary(self):
        app = make_app()
        self.assertIn('sec-fetch-site', vary(send(app, site='same-origin')))
        self.assertIn('sec-fetch-site', vary(send(app, site='cross-site')))

    def test_error_handler_for_403(self):
        app = make_app()

        @app.errorhandler(403)
        async def forbidden(req):
            return {'error': 'cross-site'}, 403

        res = send(app, site='cross-site')
        self.assertEqual(res.json, {'error': 'cross-site'})


class OriginTest(unittest.TestCase):
    """Browsers without Sec-Fetch-Site: the Origin header decides."""

    def test_no_headers_pass(self):
        self.assertEqual(send(make_app()).status_code, 200)

    def test_own_origin(self):
        app = make_app()
        self.assertEqual(send(app, origin='http://localhost').status_code,
                         200)
        self.assertEqual(send(app, origin='http://board.local:8080',
                              host='board.local:8080').status_code, 200)
        self.assertEqual(send(app, origin='http://BOARD.local:80',
                              host='board.local').status_code, 200)

    def test_foreign_origins_refused(self):
        app = make_app([PANEL])
        for origin in ('https://evil.example', 'null', 'https://localhost',
                       'http://localhost:8080', 'http://localhost.evil.net',
                       'http://evillocalhost', 'http://sub.localhost',
                       'https://panel.example.com:8443',
                       'http://panel.example.com',
                       'https://panel.example.com.evil.net',
                       'https://sub.panel.example.com', 'file://', '',
                       'https://', 'https://[::1', 'garbage', 'x' * 300,
                       'http://localhost/', 'http://a@localhost'):
            res = send(app, origin=origin)
            self.assertEqual(res.status_code, 403, origin)

    def test_cors_listed_origin(self):
        self.assertEqual(send(make_app([PANEL]), origin=PANEL).status_code,
                         200)
        self.assertEqual(send(make_app([PANEL]),
                              origin='https://PANEL.example.com:443')
                         .status_code, 200)

    def test_null_with_subdomains_is_403(self):
        for cors in (None, [PANEL], ['null']):
            app = make_app(cors, allow_subdomains=True)
            self.assertEqual(send(app, origin='null').status_code, 403)
            self.assertEqual(send(app, site='same-site', origin='null')
                             .status_code, 200)  # same-site is trusted here

    def test_subdomains(self):
        app = make_app([PANEL], allow_subdomains=True)
        for origin, status in (('http://a.localhost', 200),
                               ('http://a.b.localhost', 200),
                               ('https://a.localhost', 403),
                               ('http://a.localhost:81', 403),
                               ('http://evillocalhost', 403),
                               ('https://x.panel.example.com', 200),
                               ('http://x.panel.example.com', 403),
                               ('https://xpanel.example.com', 403),
                               ('https://example.com', 403),
                               ('https://.panel.example.com', 403)):
            self.assertEqual(send(app, origin=origin).status_code, status,
                             origin)

    def test_subdomains_need_the_option(self):
        app = make_app([PANEL])
        self.assertEqual(send(app, origin='http://a.localhost').status_code,
                         403)
        self.assertEqual(send(app, origin='https://x.panel.example.com')
                         .status_code, 403)


class RouteSelectionTest(unittest.TestCase):
    def test_exempt(self):
        res = send(make_app(), site='cross-site', path='/hook')
        self.assertEqual(res.status_code, 200)

    def test_protect_all_false(self):
        app = make_app(protect_all=False)
        self.assertEqual(send(app, site='cross-site').status_code, 200)
        self.assertEqual(send(app, site='cross-site',
                              path='/guarded').status_code, 403)
        self.assertEqual(send(app, site='same-origin',
                              path='/guarded').status_code, 200)

    def test_mounted_subapp(self):
        app = Microdot()
        CSRF(app)
        sub = Microdot()

        @sub.post('/x')
        async def x(req):
            return 'x'

        app.mount(sub, '/sub')
        self.assertEqual(send(app, site='cross-site', path='/sub/x')
                         .status_code, 403)
        self.assertEqual(send(app, site='same-origin', path='/sub/x')
                         .status_code, 200)


if __name__ == '__main__':
    unittest.main()
