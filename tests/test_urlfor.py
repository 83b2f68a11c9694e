"""url_for: endpoints to URLs, converters reversed, query strings,
_external, errors; on a stand-in url_map and through a real app with
mounted sub-apps."""
import unittest

from microdot import Microdot, Request, URLPattern
from microdot.structures import NoCaseDict
from microdot.urlfor import url_for, BuildError, register_converter
from support import call


class FakeRoute:
    def __init__(self, pattern, endpoint, methods=('GET',)):
        self.pattern = URLPattern(pattern)
        self.endpoint = endpoint
        self.methods = list(methods)


class FakeApp:
    def __init__(self, *routes):
        self.url_map = [FakeRoute(*r) for r in routes]


APP = FakeApp(
    ('/', 'index'),
    ('/api/users', 'api.get_users'),
    ('/api/users', 'api.create_user', ['POST']),
    ('/api/users/<int:id>', 'api.get_user'),
    ('/api/users/<int:id>/<name>', 'api.user_name'),
    ('/files/<path:path>', 'files'),
    ('/u/<re:[a-z][a-z0-9]*:username>', 'by_name'),
    ('/item-<int:n>.json', 'item'),
    ('/both/<int:id>', 'both'),
    ('/both/<name>', 'both'),
)


def request(host='board.local:5000', scheme=None, endpoint=None):
    headers = NoCaseDict({'Host': host} if host else {})
    req = Request(None, ('127.0.0.1', 1), 'GET', '/', '1.1', headers,
                  scheme=scheme)
    if endpoint:
        req.route = FakeRoute('/', endpoint)
    return req


class UrlForTest(unittest.TestCase):
    def test_static_and_ints(self):
        self.assertEqual(url_for(APP, 'index'), '/')
        self.assertEqual(url_for(APP, 'api.get_users'), '/api/users')
        self.assertEqual(url_for(APP, 'api.get_user', {'id': 42}),
                         '/api/users/42')
        self.assertEqual(url_for(APP, 'api.get_user', {'id': -3}),
                         '/api/users/-3')
        self.assertEqual(url_for(APP, 'item', {'n': 7}), '/item-7.json')

    def test_strings_are_quoted(self):
        self.assertEqual(
            url_for(APP, 'api.user_name', {'id': 1, 'name': 'a b'}),
            '/api/users/1/a%20b')
        self.assertEqual(
            url_for(APP, 'api.user_name', {'id': 1, 'name': 'é?#%'}),
            '/api/users/1/%C3%A9%3F%23%25')
        self.assertEqual(
            url_for(APP, 'api.user_name', {'id': 1, 'name': "a+b:c@d"}),
            '/api/users/1/a+b:c@d')

    def test_path_keeps_slashes(self):
        self.assertEqual(url_for(APP, 'files', {'path': 'css/site x.css'}),
                         '/files/css/site%20x.css')

    def test_re_must_match(self):
        self.assertEqual(url_for(APP, 'by_name', {'username': 'bob7'}),
                         '/u/bob7')
        with self.assertRaises(BuildError):
            url_for(APP, 'by_name', {'username': '7bob'})

    def test_query_string(self):
        self.assertEqual(
            url_for(APP, 'api.get_users', {'per_page': 10, 'page': 2}),
            '/api/users?page=2&per_page=10')
        self.assertEqual(
            url_for(APP, 'api.get_user', {'id': 1, 'q': 'a b&c=d',
                                          'skip': None,
                                          'tag': ['x', 'y']}),
            '/api/users/1?q=a+b%26c%3Dd&tag=x&tag=y')

    def test_anchor_and_method(self):
        self.assertEqual(url_for(APP, 'index', {'_anchor': 'top'}), '/#top')
        self.assertEqual(url_for(APP, 'api.create_user',
                                 {'_method': 'POST'}), '/api/users')
        with self.assertRaises(BuildError):
            url_for(APP, 'api.create_user', {'_method': 'GET'})

    def test_external(self):
        self.assertEqual(
            url_for(APP, 'api.get_user', {'id': 5, '_external': True},
                    request()), 'http://board.local:5000/api/users/5')
        self.assertEqual(
            url_for(APP, 'index', {'_external': True},
                    request(scheme='https')), 'https://board.local:5000/')
        self.assertEqual(
            url_for(APP, 'index', {'_external': True, '_scheme': 'https'},
                    request()), 'https://board.local:5000/')
        with self.assertRaises(BuildError):
            url_for(APP, 'index', {'_external': True})
        with self.assertRaises(BuildError):
            url_for(APP, 'index', {'_external': True}, request(host=None))

    def test_relative_endpoint(self):
        req = request(endpoint='api.get_users')
        self.assertEqual(url_for(APP, '.get_user', {'id': 3}, req),
                         '/api/users/3')
        self.assertEqual(url_for(APP, '.index', None, request('h')), '/')

    def test_errors_name_the_endpoint(self):
        with self.assertRaises(BuildError) as cm:
            url_for(APP, 'api.nope')
        self.assertIn("'api.nope'", str(cm.exception))
        self.assertEqual(cm.exception.endpoint, 'api.nope')
        self.assertTrue(isinstance(cm.exception, LookupError))
        with self.assertRaises(BuildError) as cm:
            url_for(APP, 'api.get_user')
        self.assertIn("no value for 'id'", str(cm.exception))
        for bad in ('abc', True, 1.5, '1/2'):
            with self.assertRaises(BuildError):
                url_for(APP, 'api.get_user', {'id': bad})
        with self.assertRaises(BuildError):
            url_for(APP, 'api.user_name', {'id': 1, 'name': 'a/b'})

    def test_first_route_that_fits(self):
        self.assertEqual(url_for(APP, 'both', {'id': 3}), '/both/3')
        self.assertEqual(url_for(APP, 'both', {'name': 'x'}), '/both/x')
        with self.assertRaises(BuildError):
            url_for(APP, 'both', {})

    def test_custom_converter(self):
        URLPattern.register_type('hex', pattern='[0-9a-f]+',
                                 parser=lambda v: int(v, 16))
        try:
            register_converter('hex', lambda v: '%x' % v)
            app = FakeApp(('/hex/<hex:value>', 'hex'))
            self.assertEqual(url_for(app, 'hex', {'value': 255}), '/hex/ff')
        finally:
            URLPattern.segment_patterns.pop('hex', None)
            URLPattern.segment_parsers.pop('hex', None)


class AppUrlForTest(unittest.TestCase):
    """Through Microdot: endpoints from handler names, endpoint=, mounted
    sub-apps (named by prefix or name=), app.url_for, request.url_for."""

    def setUp(self):
        users = Microdot()

        @users.get('/<int:id>')
        async def get_user(request, id):
            return {'self': request.url_for('.get_user', id=id),
                    'abs': request.url_for('api.get_user', id=id,
                                           _external=True),
                    'list': request.url_for('.get_users', page=2)}

        @users.get('/', endpoint='get_users')
        async def users_index(request):
            return 'users'

        v2 = Microdot()

        @v2.get('/ping')
        async def ping(request):
            return request.url_for('.ping')

        users.mount(v2, '/v2')
        app = Microdot()

        @app.get('/')
        async def index(request):
            return request.url_for('index', lang='en')

        app.mount(users, '/api/users', name='api')
        app.mount(Microdot(), '/empty')

        @app.route('/x/<path:rest>', methods=['GET', 'POST'])
        async def catch_all(request, rest):
            return rest

        self.app = app

    def test_app_url_for(self):
        app = self.app
        self.assertEqual(app.url_for('index'), '/')
        self.assertEqual(app.url_for('api.get_user', id=7), '/api/users/7')
        self.assertEqual(app.url_for('api.get_users'), '/api/users/')
        self.assertEqual(app.url_for('api.v2.ping'), '/api/users/v2/ping')
        self.assertEqual(app.url_for('catch_all', rest='a/b', q=1),
                         '/x/a/b?q=1')
        with self.assertRaises(BuildError):
            app.url_for('get_user', id=1)  # only known as api.get_user
        with self.assertRaises(BuildError):
            app.url_for('users_index')  # renamed by endpoint=

    def test_request_url_for(self):
        res = call(self.app, 'GET', '/api/users/3',
                   headers={'Host': 'board.local:8080'})
        self.assertEqual(res.json, {
            'self': '/api/users/3',
            'abs': 'http://board.local:8080/api/users/3',
            'list': '/api/users/?page=2'})
        self.assertEqual(call(self.app, 'GET', '/').text, '/?lang=en')
        self.assertEqual(call(self.app, 'GET', '/api/users/v2/ping').text,
                         '/api/users/v2/ping')

    def test_routes_have_endpoints(self):
        names = [r.endpoint for r in self.app.url_map]
        self.assertEqual(names, ['index', 'api.get_user', 'api.get_users',
                                 'api.v2.ping', 'catch_all'])


if __name__ == '__main__':
    unittest.main()
