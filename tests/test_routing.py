"""Routes: methods, URL patterns and converters, 404/405, HEAD, OPTIONS."""
import unittest

from microdot import Microdot, URLPattern
from support import call


def allow_set(res):
    value = res.headers.get('Allow') or ''
    return set(m.strip() for m in value.split(',') if m.strip())


class RouteMethodsTest(unittest.TestCase):
    def test_root_and_static_paths(self):
        app = Microdot()

        @app.route('/')
        async def index(req):
            return 'root'

        @app.route('/users/active')
        async def active(req):
            return 'active'

        res = call(app, 'GET', '/')
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.text, 'root')
        self.assertEqual(call(app, 'GET', '/users/active').text, 'active')
        self.assertEqual(call(app, 'GET', '/users').status_code, 404)
        self.assertEqual(call(app, 'GET', '/users/active/x').status_code, 404)

    def test_default_method_is_get_only(self):
        app = Microdot()

        @app.route('/x')
        async def x(req):
            return 'x'

        self.assertEqual(call(app, 'GET', '/x').status_code, 200)
        self.assertEqual(call(app, 'POST', '/x').status_code, 405)

    def test_methods_list_one_function(self):
        app = Microdot()

        @app.route('/invoices', methods=['GET', 'POST'])
        async def invoices(req):
            return req.method.lower() + ' invoices'

        self.assertEqual(call(app, 'GET', '/invoices').text, 'get invoices')
        self.assertEqual(call(app, 'POST', '/invoices').text, 'post invoices')
        self.assertEqual(call(app, 'PUT', '/invoices').status_code, 405)

    def test_separate_functions_per_method(self):
        app = Microdot()

        @app.route('/invoices', methods=['GET'])
        async def get_invoices(req):
            return 'get invoices'

        @app.route('/invoices', methods=['POST'])
        async def create_invoice(req):
            return 'create an invoice'

        self.assertEqual(call(app, 'GET', '/invoices').text, 'get invoices')
        self.assertEqual(call(app, 'POST', '/invoices').text,
                         'create an invoice')

    def test_shortcut_decorators(self):
        app = Microdot()

        @app.get('/r')
        async def g(req):
            return 'get'

        @app.post('/r')
        async def p(req):
            return 'post'

        @app.put('/r')
        async def pu(req):
            return 'put'

        @app.patch('/r')
        async def pa(req):
            return 'patch'

        @app.delete('/r')
        async def d(req):
            return 'delete'

        for method in ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']:
            res = call(app, method, '/r')
            self.assertEqual(res.status_code, 200)
            self.assertEqual(res.text, method.lower())

    def test_decorators_return_the_function(self):
        app = Microdot()

        async def f(req):
            return 'f'

        self.assertIs(app.route('/a')(f), f)
        self.assertIs(app.get('/b')(f), f)
        self.assertIs(app.post('/c')(f), f)

    def test_custom_method(self):
        app = Microdot()

        @app.route('/cache', methods=['PURGE'])
        async def purge(req):
            return 'purged'

        self.assertEqual(call(app, 'PURGE', '/cache').text, 'purged')
        self.assertEqual(call(app, 'GET', '/cache').status_code, 405)

    def test_query_string_does_not_affect_routing(self):
        app = Microdot()

        @app.get('/users/active')
        async def active(req):
            return 'active'

        res = call(app, 'GET', '/users/active?x=1&y=/z')
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.text, 'active')


class URLPatternRoutesTest(unittest.TestCase):
    def test_string_arguments(self):
        app = Microdot()

        @app.get('/users/<username>')
        async def user(req, username):
            return 'User: ' + username

        @app.get('/names/<firstname>/<lastname>')
        async def name(req, lastname, firstname):
            # keyword arguments: order in the signature does not matter
            return firstname + ' ' + lastname

        self.assertEqual(call(app, 'GET', '/users/susan').text, 'User: susan')
        self.assertEqual(call(app, 'GET', '/names/Joe/Bloggs').text,
                         'Joe Bloggs')
        self.assertEqual(call(app, 'GET', '/users/a/b').status_code, 404)
        self.assertEqual(call(app, 'GET', '/users/').status_code, 404)

    def test_int_and_string_types(self):
        app = Microdot()

        @app.get('/users/<int:id>/<string:username>')
        async def user(req, id, username):
            return {'id': id, 'isint': isinstance(id, int), 'name': username}

        res = call(app, 'GET', '/users/42/bob')
        self.assertEqual(res.json, {'id': 42, 'isint': True, 'name': 'bob'})
        self.assertEqual(call(app, 'GET', '/users/abc/bob').status_code, 404)
        self.assertEqual(call(app, 'GET', '/users/4x/bob').status_code, 404)
        self.assertEqual(call(app, 'GET', '/users/42/bob/x').status_code, 404)
        # only ASCII digits (%D9%A5 and %C2%B2: Arabic-Indic 5, superscript 2)
        for path in ['/users/%D9%A5/bob', '/users/%C2%B2/bob', '/users/-/bob']:
            self.assertEqual(call(app, 'GET', path).status_code, 404, path)
        self.assertEqual(call(app, 'GET', '/users/-7/bob').json['id'], -7)

    def test_path_type(self):
        app = Microdot()

        @app.get('/tests/<path:path>')
        async def tests(req, path):
            return 'Test: ' + path

        @app.get('/one/<string:s>')
        async def one(req, s):
            return s

        self.assertEqual(call(app, 'GET', '/tests/a/b/c.txt').text,
                         'Test: a/b/c.txt')
        self.assertEqual(call(app, 'GET', '/tests/x').text, 'Test: x')
        self.assertEqual(call(app, 'GET', '/one/a/b').status_code, 404)

    def test_re_type(self):
        app = Microdot()

        @app.get('/users/<re:[a-zA-Z][a-zA-Z0-9]*:username>')
        async def user(req, username):
            return 'User: ' + username

        self.assertEqual(call(app, 'GET', '/users/abc123').text,
                         'User: abc123')
        self.assertEqual(call(app, 'GET', '/users/1abc').status_code, 404)
        self.assertEqual(call(app, 'GET', '/users/ab-c').status_code, 404)

    def test_mixed_static_and_dynamic_segments(self):
        app = Microdot()

        @app.get('/shop/<int:shop>/item-<int:item>.json')
        async def item(req, shop, item):
            return {'shop': shop, 'item': item}

        self.assertEqual(call(app, 'GET', '/shop/3/item-14.json').json,
                         {'shop': 3, 'item': 14})
        # the '.' is literal, not a regex wildcard
        self.assertEqual(call(app, 'GET', '/shop/3/item-14xjson').status_code,
                         404)

    def test_static_path_with_regex_characters(self):
        app = Microdot()

        @app.get('/a.b/c+d')
        async def f(req):
            return 'ok'

        self.assertEqual(call(app, 'GET', '/a.b/c+d').status_code, 200)
        self.assertEqual(call(app, 'GET', '/axb/c+d').status_code, 404)

    def test_register_type_with_pattern(self):
        URLPattern.register_type('hexp', pattern='[0-9a-fA-F]+',
                                 parser=lambda value: int(value, 16))
        app = Microdot()

        @app.get('/h/<hexp:value>')
        async def h(req, value):
            return str(value)

        self.assertEqual(call(app, 'GET', '/h/ff').text, '255')
        self.assertEqual(call(app, 'GET', '/h/1A').text, '26')
        self.assertEqual(call(app, 'GET', '/h/zz').status_code, 404)

    def test_register_type_parser_returning_none(self):
        def hex_parser(value):
            try:
                return int(value, 16)
            except ValueError:
                return None

        URLPattern.register_type('hexn', parser=hex_parser)
        app = Microdot()

        @app.get('/h/<hexn:value>')
        async def h(req, value):
            return 'hex ' + str(value)

        self.assertEqual(call(app, 'GET', '/h/1f').text, 'hex 31')
        self.assertEqual(call(app, 'GET', '/h/xyz').status_code, 404)

    def test_parser_none_falls_through_to_next_route(self):
        def even(value):
            n = int(value)
            return n if n % 2 == 0 else None

        URLPattern.register_type('even', pattern='[0-9]+', parser=even)
        app = Microdot()

        @app.get('/n/<even:n>')
        async def evens(req, n):
            return 'even ' + str(n)

        @app.get('/n/<x>')
        async def other(req, x):
            return 'other ' + x

        self.assertEqual(call(app, 'GET', '/n/4').text, 'even 4')
        self.assertEqual(call(app, 'GET', '/n/5').text, 'other 5')

    def test_register_type_parser_only(self):
        URLPattern.register_type('upper', parser=lambda v: v.upper())
        app = Microdot()

        @app.get('/u/<upper:v>')
        async def u(req, v):
            return v

        self.assertEqual(call(app, 'GET', '/u/abc').text, 'ABC')
        # default pattern stops at '/'
        self.assertEqual(call(app, 'GET', '/u/a/b').status_code, 404)

    def test_long_arguments(self):
        # a request line may be up to 2 KB: every segment type must cope
        app = Microdot()

        @app.get('/s/<name>')
        async def s(req, name):
            return str(len(name))

        @app.get('/p/<path:p>')
        async def p(req, p):
            return str(len(p))

        @app.get('/i/<int:n>')
        async def i(req, n):
            return str(n % 1000)

        @app.get('/r/<re:[a-z]+:word>')
        async def r(req, word):
            return str(len(word))

        for n in (100, 1000, 1900):
            self.assertEqual(call(app, 'GET', '/s/' + 'a' * n).text, str(n))
            self.assertEqual(call(app, 'GET', '/p/' + 'a/' * (n // 2)).text,
                             str(n // 2 * 2))
            self.assertEqual(call(app, 'GET', '/i/' + '7' * n).text, '777')
        # a user's own regex is left to the platform's re engine (MicroPython's
        # recurses per character), so only a moderate length here
        self.assertEqual(call(app, 'GET', '/r/' + 'z' * 100).text, '100')

    def test_url_pattern_match_direct(self):
        p = URLPattern('/users/<int:id>/<name>')
        self.assertEqual(p.match('/users/5/joe'), {'id': 5, 'name': 'joe'})
        self.assertIsNone(p.match('/users/x/joe'))
        self.assertIsNone(p.match('/users/5'))
        self.assertEqual(URLPattern('/static').match('/static'), {})
        self.assertIsNone(URLPattern('/static').match('/static/'))


class AutomaticResponsesTest(unittest.TestCase):
    def setUp(self):
        self.calls = []
        app = Microdot()

        @app.route('/res', methods=['GET', 'POST'])
        async def res(req):
            self.calls.append(req.method)
            return 'resource body'

        @app.post('/only-post')
        async def only_post(req):
            return 'posted'

        self.app = app

    def test_404(self):
        res = call(self.app, 'GET', '/nope')
        self.assertEqual(res.status_code, 404)
        self.assertEqual(call(self.app, 'POST', '/nope').status_code, 404)

    def test_405_with_allow(self):
        res = call(self.app, 'DELETE', '/res')
        self.assertEqual(res.status_code, 405)
        allowed = allow_set(res)
        self.assertIn('GET', allowed)
        self.assertIn('POST', allowed)
        self.assertNotIn('DELETE', allowed)
        self.assertEqual(self.calls, [])

    def test_head_for_get_route(self):
        get = call(self.app, 'GET', '/res')
        res = call(self.app, 'HEAD', '/res')
        self.assertEqual(res.status_code, 200)
        self.assertIsNone(res.body)  # the test client's HEAD: no body
        self.assertEqual(res.headers.get('Content-Length'),
                         get.headers.get('Content-Length'))
        self.assertTrue(res.headers.get('Content-Type').startswith(
            'text/plain'))

    def test_explicit_head_route(self):
        app = Microdot()

        @app.route('/probe', methods=['HEAD'])
        async def probe(req):
            return 'not sent', {'X-Probe': 'yes'}

        res = call(app, 'HEAD', '/probe')
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.headers.get('X-Probe'), 'yes')
        self.assertIsNone(res.body)
        self.assertEqual(call(app, 'GET', '/probe').status_code, 405)

    def test_no_head_for_post_only_route(self):
        self.assertEqual(call(self.app, 'HEAD', '/only-post').status_code, 405)

    def test_options(self):
        res = call(self.app, 'OPTIONS', '/res')
        self.assertEqual(res.status_code, 200)
        allowed = allow_set(res)
        self.assertIn('GET', allowed)
        self.assertIn('POST', allowed)
        self.assertNotIn('PUT', allowed)
        self.assertEqual(self.calls, [])
        self.assertIn('POST', allow_set(call(self.app, 'OPTIONS',
                                              '/only-post')))

    def test_options_unknown_url(self):
        self.assertEqual(call(self.app, 'OPTIONS', '/nope').status_code, 404)


if __name__ == '__main__':
    unittest.main()
