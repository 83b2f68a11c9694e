"""The Request object as handlers see it (driven through the TestClient)."""
import unittest

from microdot import Microdot, Request, MultiDict
from support import call, make_client, room_for, run


class RequestAttributesTest(unittest.TestCase):
    def setUp(self):
        self.seen = {}
        app = Microdot()
        seen = self.seen

        @app.route('/p/<name>', methods=['GET', 'POST', 'PUT'])
        async def capture(req, name):
            seen['req'] = req
            seen['method'] = req.method
            seen['url'] = req.url
            seen['path'] = req.path
            seen['query_string'] = req.query_string
            seen['name'] = name
            return 'ok'

        self.app = app

    def test_method_url_path_query(self):
        res = call(self.app, 'GET', '/p/abc?x=1&y=2')
        self.assertEqual(res.status_code, 200)
        self.assertEqual(self.seen['method'], 'GET')
        self.assertEqual(self.seen['url'], '/p/abc?x=1&y=2')
        self.assertEqual(self.seen['path'], '/p/abc')
        self.assertEqual(self.seen['query_string'], 'x=1&y=2')
        call(self.app, 'PUT', '/p/abc')
        self.assertEqual(self.seen['method'], 'PUT')
        self.assertEqual(self.seen['path'], '/p/abc')
        self.assertFalse(self.seen['query_string'])

    def test_url_and_version_without_query_or_escapes(self):
        # url is the path (not stored twice), http_version 1.1 unless said
        call(self.app, 'GET', '/p/abc')
        req = self.seen['req']
        self.assertEqual((self.seen['url'], req.url, req.path),
                         ('/p/abc', '/p/abc', '/p/abc'))
        self.assertEqual(req.http_version, '1.1')
        call(self.app, 'GET', '/p/a%20b')
        req = self.seen['req']
        self.assertEqual((req.url, req.path), ('/p/a%20b', '/p/a b'))
        req.url = '/changed'
        self.assertEqual(req.url, '/changed')
        r = Request(self.app, ('1.2.3.4', 5), 'GET', '/x', '1.0', {})
        self.assertEqual((r.url, r.http_version), ('/x', '1.0'))

    def test_app_and_client_addr(self):
        call(self.app, 'GET', '/p/a')
        req = self.seen['req']
        self.assertIs(req.app, self.app)
        self.assertIsInstance(req, Request)
        self.assertEqual(len(req.client_addr), 2)

    def test_scheme(self):
        call(self.app, 'GET', '/p/a')
        self.assertEqual(self.seen['req'].scheme, 'http')
        call(self.app, 'GET', '/p/a', scheme='https')
        self.assertEqual(self.seen['req'].scheme, 'https')

    def test_route_is_set(self):
        call(self.app, 'GET', '/p/a')
        self.assertIsNotNone(self.seen['req'].route)

    def test_not_mounted_defaults(self):
        call(self.app, 'GET', '/p/a')
        self.assertEqual(self.seen['req'].url_prefix, '')
        self.assertIsNone(self.seen['req'].subapp)

    def test_invalid_utf8_in_path_is_not_a_crash(self):
        res = call(self.app, 'GET', '/p/%E9')
        self.assertIn(res.status_code, (400, 404))

    def test_percent_encoded_path_argument(self):
        call(self.app, 'GET', '/p/caf%C3%A9%20bar')
        self.assertEqual(self.seen['name'], 'caf\u00e9 bar')

    def test_plus_in_path_is_a_plus(self):
        # '+' means a space only in query strings and forms
        call(self.app, 'GET', '/p/a+b%21')
        self.assertEqual(self.seen['name'], 'a+b!')
        call(self.app, 'GET', '/p/c+d')
        self.assertEqual(self.seen['name'], 'c+d')


class ArgsTest(unittest.TestCase):
    def get_args(self, query):
        seen = {}
        app = Microdot()

        @app.get('/')
        async def index(req):
            seen['args'] = req.args
            return 'ok'

        res = call(app, 'GET', '/' + query)
        return res, seen.get('args')

    def test_multidict_args(self):
        res, args = self.get_args('?a=1&a=2&b=x%20y&c=a+b&n=42&e=')
        self.assertEqual(res.status_code, 200)
        self.assertIsInstance(args, MultiDict)
        self.assertEqual(args['a'], '1')
        self.assertEqual(args.get('a'), '1')
        self.assertEqual(args.getlist('a'), ['1', '2'])
        self.assertEqual(args.get('b'), 'x y')
        self.assertEqual(args.get('c'), 'a b')
        self.assertEqual(args.get('n', type=int), 42)
        self.assertEqual(args.get('missing', 'dflt'), 'dflt')
        self.assertEqual(args.get('e'), '')

    def test_encoded_keys_and_utf8(self):
        res, args = self.get_args('?na%6De=caf%C3%A9&q=%26%3D')
        self.assertEqual(args.get('name'), 'caf\u00e9')
        self.assertEqual(args.get('q'), '&=')

    def test_odd_pairs(self):
        res, args = self.get_args('?a=b=c&flag&&x=1')
        self.assertEqual(res.status_code, 200)
        self.assertEqual(args.get('a'), 'b=c')
        self.assertEqual(args.get('flag'), '')
        self.assertEqual(args.get('x'), '1')

    def test_no_query_string(self):
        res, args = self.get_args('')
        self.assertEqual(len(args), 0)
        self.assertIsNone(args.get('a'))

    def test_malformed_percent_is_not_a_crash(self):
        res, args = self.get_args('?a=100%&b=%zz')
        self.assertEqual(res.status_code, 200)
        self.assertEqual(args.get('a'), '100%')
        self.assertEqual(args.get('b'), '%zz')

    def test_invalid_utf8_is_not_a_crash(self):
        res, args = self.get_args('?a=%FF%FE')
        self.assertIn(res.status_code, (200, 400))


class HeadersCookiesTest(unittest.TestCase):
    def setUp(self):
        self.seen = {}
        app = Microdot()
        seen = self.seen

        @app.route('/', methods=['GET', 'POST'])
        async def index(req):
            seen['req'] = req
            return 'ok'

        self.app = app

    def test_headers_case_insensitive(self):
        call(self.app, 'GET', '/', headers={'X-Custom-Thing': 'v1'})
        headers = self.seen['req'].headers
        self.assertEqual(headers['X-Custom-Thing'], 'v1')
        self.assertEqual(headers['x-custom-thing'], 'v1')
        self.assertEqual(headers.get('X-CUSTOM-THING'), 'v1')
        self.assertIn('x-CUSTOM-thing', headers)
        self.assertIsNone(headers.get('X-Absent'))

    def test_host_header_from_test_client(self):
        call(self.app, 'GET', '/', host='example.com')
        self.assertEqual(self.seen['req'].headers.get('Host'), 'example.com')

    def test_cookies(self):
        call(self.app, 'GET', '/',
             headers={'Cookie': 'a=1; b=two;c=x=y'})
        cookies = self.seen['req'].cookies
        self.assertEqual(cookies.get('a'), '1')
        self.assertEqual(cookies.get('b'), 'two')
        self.assertEqual(cookies.get('c'), 'x=y')
        self.assertIsNone(cookies.get('d'))

    def test_no_cookies(self):
        call(self.app, 'GET', '/')
        self.assertEqual(dict(self.seen['req'].cookies), {})

    def test_content_type_and_length(self):
        call(self.app, 'POST', '/', body=b'hello',
             headers={'Content-Type': 'text/plain'})
        req = self.seen['req']
        self.assertEqual(req.content_type, 'text/plain')
        self.assertEqual(req.content_length, 5)
        call(self.app, 'GET', '/')
        req = self.seen['req']
        self.assertIsNone(req.content_type)
        self.assertEqual(req.content_length, 0)


class BodyTest(unittest.TestCase):
    def setUp(self):
        self.seen = {}
        app = Microdot()
        seen = self.seen

        @app.post('/json')
        async def js(req):
            seen['json'] = req.json
            return 'ok'

        @app.post('/form')
        async def form(req):
            seen['form'] = req.form
            return 'ok'

        @app.post('/body')
        async def body(req):
            seen['body'] = req.body
            return 'ok'

        @app.post('/stream')
        async def stream(req):
            data = b''
            for _ in range(1000):
                chunk = await req.stream.read(100)
                if not chunk:
                    break
                data += chunk
            seen['body'] = req.body
            seen['stream'] = data
            return str(len(data))

        self.app = app
        self.saved = (Request.max_content_length, Request.max_body_length)

    def tearDown(self):
        Request.max_content_length, Request.max_body_length = self.saved

    def test_json(self):
        res = call(self.app, 'POST', '/json', json={'a': [1, 2], 'b': 'c'})
        self.assertEqual(res.status_code, 200)
        self.assertEqual(self.seen['json'], {'a': [1, 2], 'b': 'c'})

    def test_json_list_and_charset(self):
        call(self.app, 'POST', '/json', body=b'[1, "\xc3\xa9"]',
             headers={'Content-Type': 'application/json; charset=utf-8'})
        self.assertEqual(self.seen['json'], [1, '\u00e9'])

    def test_json_empty_body(self):
        res = call(self.app, 'POST', '/json',
                   headers={'Content-Type': 'application/json'})
        self.assertIn(res.status_code, (200, 400))
        if res.status_code == 200:
            self.assertIsNone(self.seen['json'])

    def test_json_needs_json_content_type(self):
        call(self.app, 'POST', '/json', body=b'{"a": 1}',
             headers={'Content-Type': 'text/plain'})
        self.assertIsNone(self.seen['json'])

    def test_invalid_json_is_400(self):
        res = call(self.app, 'POST', '/json', body=b'{"a": ',
                   headers={'Content-Type': 'application/json'})
        self.assertEqual(res.status_code, 400)
        res = call(self.app, 'POST', '/json', body=b'\xff\xfe',
                   headers={'Content-Type': 'application/json'})
        self.assertEqual(res.status_code, 400)

    def test_form(self):
        call(self.app, 'POST', '/form',
             body='a=1&b=hello+world&a=2&c=%26%3D&d=caf%C3%A9',
             headers={'Content-Type': 'application/x-www-form-urlencoded'})
        form = self.seen['form']
        self.assertIsInstance(form, MultiDict)
        self.assertEqual(form['a'], '1')
        self.assertEqual(form.getlist('a'), ['1', '2'])
        self.assertEqual(form.get('b'), 'hello world')
        self.assertEqual(form.get('c'), '&=')
        self.assertEqual(form.get('d'), 'caf\u00e9')

    def test_form_charset_parameter(self):
        call(self.app, 'POST', '/form', body='x=1',
             headers={'Content-Type':
                      'application/x-www-form-urlencoded; charset=UTF-8'})
        self.assertEqual(self.seen['form'].get('x'), '1')

    def test_form_needs_form_content_type(self):
        call(self.app, 'POST', '/form', body='a=1',
             headers={'Content-Type': 'text/plain'})
        self.assertIsNone(self.seen['form'])

    def test_body_bytes(self):
        call(self.app, 'POST', '/body', body=b'\x00\x01binary\xff')
        self.assertEqual(self.seen['body'], b'\x00\x01binary\xff')
        call(self.app, 'POST', '/body', body='text body')
        self.assertEqual(self.seen['body'], b'text body')

    def test_empty_body(self):
        call(self.app, 'POST', '/body')
        self.assertEqual(self.seen['body'], b'')

    def test_stream_of_small_body(self):
        res = call(self.app, 'POST', '/stream', body=b'0123456789' * 3)
        self.assertEqual(res.text, '30')
        self.assertEqual(self.seen['stream'], b'0123456789' * 3)

    def test_stream_for_body_over_max_body_length(self):
        Request.max_body_length = 64
        data = bytes(range(256)) * 4
        res = call(self.app, 'POST', '/stream', body=data)
        self.assertEqual(res.status_code, 200)
        self.assertEqual(self.seen['stream'], data)
        self.assertFalse(self.seen['body'])

    def test_body_at_max_body_length_is_loaded(self):
        Request.max_body_length = 64
        call(self.app, 'POST', '/body', body=b'x' * 64)
        self.assertEqual(self.seen['body'], b'x' * 64)

    def test_413_over_max_content_length(self):
        res = call(self.app, 'POST', '/body',
                   body=b'x' * (Request.max_content_length + 1))
        self.assertEqual(res.status_code, 413)
        self.assertNotIn('body', self.seen)
        res = room_for(call(self.app, 'POST', '/body',
                            body=b'x' * Request.max_content_length))
        self.assertEqual(res.status_code, 200)

    def test_413_with_lowered_limit(self):
        Request.max_content_length = 100
        res = call(self.app, 'POST', '/body', body=b'x' * 101)
        self.assertEqual(res.status_code, 413)
        res = call(self.app, 'POST', '/body', body=b'x' * 100)
        self.assertEqual(res.status_code, 200)

    def test_default_limits(self):
        self.assertEqual(self.saved, (16 * 1024, 16 * 1024))
        self.assertEqual(Request.max_readline, 2 * 1024)


class GObjectTest(unittest.TestCase):
    def test_g_shared_within_one_request_only(self):
        app = Microdot()
        seen = []

        @app.before_request
        async def before(req):
            if req.path == '/set':
                req.g.user = 'susan'

        @app.get('/set')
        async def set_(req):
            seen.append(req.g.user)
            req.g.extra = 1
            return 'ok'

        @app.get('/check')
        async def check(req):
            seen.append(getattr(req.g, 'user', None))
            seen.append(getattr(req.g, 'extra', None))
            return 'ok'

        @app.after_request
        async def after(req, res):
            seen.append(getattr(req.g, 'user', 'none'))

        client = make_client(app)

        async def go():
            await client.get('/set')
            await client.get('/check')

        run(go())
        self.assertEqual(seen, ['susan', 'susan', None, None, 'none'])


if __name__ == '__main__':
    unittest.main()
