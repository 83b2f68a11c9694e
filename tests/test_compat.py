"""What a Microdot 2.7 app and its own tests rely on: default error bodies,
complete headers in hooks, content types, the test client's cookies and
HEAD, QUERY, the names of microdot.microdot, URLPattern errors."""
import unittest

from microdot import Microdot, Response, URLPattern, abort, send_file
from support import call, make_client, run, make_temp_dir, remove_tree, \
    write_file


def plain_app():
    app = Microdot()

    @app.get('/')
    async def index(req):
        return 'hello'

    @app.post('/json')
    async def post_json(req):
        return {'got': req.json}

    @app.get('/boom')
    async def boom(req):
        raise RuntimeError('boom')

    @app.get('/bad')
    async def bad(req):
        abort(400)

    return app


class DefaultErrorBodiesTest(unittest.TestCase):
    def setUp(self):
        self.app = plain_app()

    def check(self, res, status, body):
        self.assertEqual(res.status_code, status)
        self.assertEqual(res.text, body)
        self.assertEqual(res.headers['Content-Type'],
                         'text/plain; charset=UTF-8')

    def test_404(self):
        self.check(call(self.app, 'GET', '/nope'), 404, 'Not found')

    def test_405_body_is_not_found(self):
        res = call(self.app, 'DELETE', '/')
        self.check(res, 405, 'Not found')
        self.assertIn('GET', res.headers['Allow'])

    def test_405_handler_overrides(self):
        @self.app.errorhandler(405)
        async def not_allowed(req):
            return 'nope', 405

        self.check(call(self.app, 'DELETE', '/'), 405, 'nope')

    def test_400_from_abort_and_from_parser(self):
        self.check(call(self.app, 'GET', '/bad'), 400, 'Bad request')
        res = call(self.app, 'POST', '/json', body=b'{nope',
                   headers={'Content-Type': 'application/json'})
        self.check(res, 400, 'Bad request')
        # the detail is in the status line, for people reading logs
        self.assertEqual(res.reason, 'Invalid JSON body')

    def test_413(self):
        res = call(self.app, 'POST', '/json', body=b'x' * 20000)
        self.check(res, 413, 'Payload too large')

    def test_500(self):
        self.check(call(self.app, 'GET', '/boom'), 500,
                   'Internal server error')

    def test_abort_reason_is_the_body(self):
        @self.app.get('/teapot')
        async def teapot(req):
            abort(418, 'short and stout')

        self.check(call(self.app, 'GET', '/teapot'), 418, 'short and stout')

    def test_dispatch_none_is_400_through_handler(self):
        @self.app.errorhandler(400)
        async def bad_request(req):
            return 'custom bad', 400

        res = run(self.app.dispatch_request(None))
        self.assertEqual((res.status_code, res.body), (400, b'custom bad'))

    def test_dispatch_none_without_handler(self):
        res = run(self.app.dispatch_request(None))
        self.assertEqual((res.status_code, res.body), (400, b'Bad request'))


class HeadersInHooksTest(unittest.TestCase):
    def test_after_request_sees_type_and_length(self):
        app = Microdot()
        seen = {}

        @app.get('/')
        async def index(req):
            return 'hello'

        @app.after_request
        async def hook(req, res):
            seen['type'] = res.headers.get('Content-Type')
            seen['length'] = res.headers.get('Content-Length')
            res.body = b'HELLO!'
            res.headers['Content-Length'] = '6'

        res = call(app, 'GET', '/')
        self.assertEqual(seen, {'type': 'text/plain; charset=UTF-8',
                                'length': '5'})
        self.assertEqual(res.body, b'HELLO!')

    def test_complete_fills_headers(self):
        res = Response({'a': 1})
        res.complete()
        self.assertEqual(res.headers['Content-Type'],
                         'application/json; charset=UTF-8')
        self.assertEqual(res.headers['Content-Length'], '8')


class ContentTypeTest(unittest.TestCase):
    def setUp(self):
        self.saved = Response.default_content_type

    def tearDown(self):
        Response.default_content_type = self.saved

    def test_default_html_gets_charset_for_str(self):
        Response.default_content_type = 'text/html'
        res = Response('<p>hi</p>')
        res.complete()
        self.assertEqual(res.headers['Content-Type'],
                         'text/html; charset=UTF-8')

    def test_charset_already_named(self):
        Response.default_content_type = 'text/html; charset=latin-1'
        res = Response('x')
        res.complete()
        self.assertEqual(res.headers['Content-Type'],
                         'text/html; charset=latin-1')

    def test_bytes_get_no_charset(self):
        res = Response(b'\x00\x01')
        res.complete()
        self.assertEqual(res.headers['Content-Type'], 'text/plain')

    def test_send_file_txt_has_no_charset(self):
        folder = make_temp_dir('compat')
        try:
            write_file(folder + '/a.txt', b'text')
            res = send_file(folder + '/a.txt')
            res.complete()
            self.assertEqual(res.headers['Content-Type'], 'text/plain')
        finally:
            remove_tree(folder)

    def test_204_and_304_have_no_length_or_type(self):
        app = Microdot()

        @app.get('/none')
        async def none(req):
            return None

        @app.get('/cached')
        async def cached(req):
            return '', 304, {'ETag': '"x"'}

        for path, status in (('/none', 204), ('/cached', 304)):
            res = call(app, 'GET', path)
            self.assertEqual(res.status_code, status)
            self.assertNotIn('Content-Length', res.headers)
            self.assertNotIn('Content-Type', res.headers)

    def test_empty_response_body(self):
        self.assertEqual(Response().body, b'')

    def test_missing_file_goes_through_404_handler(self):
        app = Microdot()

        @app.get('/f')
        async def f(req):
            return send_file('/no/such/file.txt')

        @app.errorhandler(404)
        async def not_found(req):
            return 'custom 404', 404

        res = call(app, 'GET', '/f')
        self.assertEqual((res.status_code, res.text), (404, 'custom 404'))


def cookie_app():
    app = Microdot()

    @app.get('/echo')
    async def echo(req):
        return {'cookies': req.cookies}

    @app.get('/set')
    async def set_(req):
        res = Response('set')
        res.set_cookie('root', '1', path='/')
        res.set_cookie('sub', '2', path='/sub')
        return res

    @app.get('/del')
    async def delete(req):
        res = Response('deleted')
        res.delete_cookie('root', path='/')
        res.delete_cookie('sub', path='/other')  # another path: kept
        return res

    return app


class TestClientCookiesTest(unittest.TestCase):
    def test_constructor_and_header_cookies_both_sent(self):
        client = make_client(cookie_app(), cookies={'a': '1'})
        res = run(client.get('/echo', headers={'Cookie': 'b=2'}))
        self.assertEqual(res.json['cookies'], {'a': '1', 'b': '2'})

    def test_cookies_dict_and_deletion_by_path(self):
        client = make_client(cookie_app())
        res = run(client.get('/set'))
        self.assertTrue(isinstance(client.cookies, dict))
        self.assertEqual(client.cookies, {'root': '1', 'sub': '2'})
        self.assertEqual(len(res.headers['Set-Cookie']), 2)
        run(client.get('/del'))
        self.assertEqual(client.cookies, {'sub': '2'})

    def test_set_cookie_header_is_a_list(self):
        app = Microdot()

        @app.get('/')
        async def index(req):
            res = Response('x')
            res.set_cookie('one', '1')
            return res

        res = call(app, 'GET', '/')
        self.assertEqual(res.headers['Set-Cookie'], ['one=1'])

    def test_head_and_already_handled_have_no_body(self):
        app = Microdot()

        @app.get('/')
        async def index(req):
            return {'a': 1}

        @app.get('/handled')
        async def handled(req):
            return Response.already_handled

        client = make_client(app)
        res = run(client.head('/'))
        self.assertEqual(res.status_code, 200)
        self.assertEqual((res.body, res.text, res.json), (None, None, None))
        res = run(client.get('/handled'))
        self.assertEqual((res.body, res.text, res.json), (None, None, None))


class QueryMethodTest(unittest.TestCase):
    def test_query_route_and_client(self):
        app = Microdot()

        @app.query('/search')
        async def search(req):
            return {'method': req.method, 'q': req.json}

        client = make_client(app)
        res = run(client.query('/search', body={'term': 'x'}))
        self.assertEqual(res.json, {'method': 'QUERY', 'q': {'term': 'x'}})
        self.assertEqual(run(client.get('/search')).status_code, 405)


class PublicNamesTest(unittest.TestCase):
    def test_microdot_microdot_names(self):
        import microdot.microdot as m
        for name in ('Microdot', 'Request', 'Response', 'URLPattern',
                     'MultiDict', 'NoCaseDict', 'urlencode',
                     'urldecode_str', 'urldecode_bytes', 'abort',
                     'redirect', 'send_file', 'HTTPException'):
            self.assertTrue(getattr(m, name) is not None, name)
        self.assertEqual(m.urlencode('a b'), 'a+b')

    def test_helpers_wraps(self):
        from microdot.helpers import wraps

        def original(x):
            return x

        @wraps(original)
        def wrapper(x):
            return original(x)

        self.assertEqual(wrapper(3), 3)


class URLPatternErrorsTest(unittest.TestCase):
    def test_errors_at_compile_not_construction(self):
        for pattern in ('/users/<foo/bar', '/x/<badtype:id>'):
            p = URLPattern(pattern)  # no error yet
            with self.assertRaises(ValueError):
                p.compile()


if __name__ == '__main__':
    unittest.main()
