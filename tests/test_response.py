"""Response building: return values, JSON, redirects, files, streams,
cookies and the default content type (driven through the TestClient)."""
import io
import json
import unittest

from microdot import Microdot, Response, redirect, send_file
from support import IS_MICROPYTHON, Countdown, call, find_cookie, \
    make_temp_dir, remove_tree, set_cookie_headers, write_file


def app_returning(value_factory, path='/'):
    app = Microdot()

    @app.route(path, methods=['GET', 'POST'])
    async def index(req):
        return value_factory()

    return app


def media_type(res):
    return res.headers['Content-Type'].split(';')[0].strip()


def get(value_factory):
    return call(app_returning(value_factory), 'GET', '/')


class ReturnValuesTest(unittest.TestCase):
    def test_body_only_is_200_text_plain(self):
        res = get(lambda: 'Hello, World!')
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.reason, 'OK')
        self.assertEqual(res.text, 'Hello, World!')
        self.assertEqual(res.body, b'Hello, World!')
        self.assertTrue(res.headers['Content-Type'].startswith('text/plain'))
        self.assertEqual(res.headers['Content-Length'], '13')

    def test_content_length_counts_bytes_not_characters(self):
        res = get(lambda: 'h\u00e9llo \u4e2d')
        self.assertEqual(res.text, 'h\u00e9llo \u4e2d')
        self.assertEqual(res.headers['Content-Length'],
                         str(len('h\u00e9llo \u4e2d'.encode())))

    def test_bytes_body(self):
        res = get(lambda: b'\x00\xffraw')
        self.assertEqual(res.body, b'\x00\xffraw')
        self.assertEqual(res.headers['Content-Length'], '5')

    def test_body_and_status(self):
        res = get(lambda: ('Hello, World!', 202))
        self.assertEqual(res.status_code, 202)
        self.assertEqual(res.text, 'Hello, World!')

    def test_body_status_headers(self):
        res = get(lambda: ('<h1>Hi</h1>', 202, {'Content-Type': 'text/html',
                                                 'X-Extra': 'yes'}))
        self.assertEqual(res.status_code, 202)
        self.assertEqual(res.headers['Content-Type'], 'text/html')
        self.assertEqual(res.headers['X-Extra'], 'yes')
        self.assertEqual(res.text, '<h1>Hi</h1>')

    def test_body_and_headers(self):
        res = get(lambda: ('<h1>Hi</h1>', {'Content-Type': 'text/html'}))
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.headers['Content-Type'], 'text/html')

    def test_header_replaces_default_in_any_case(self):
        res = get(lambda: ('x', {'content-type': 'text/csv'}))
        self.assertEqual(res.headers['Content-Type'], 'text/csv')
        self.assertEqual(len([k for k in res.headers
                              if k.lower() == 'content-type']), 1)

    def test_headers_dict_replaced_by_the_app_is_sent(self):
        # headers is made on first use; one the app assigns replaces it
        # (a response without one goes out through a cached head)
        from microdot import NoCaseDict

        def make():
            res = Response(b'raw')
            res.headers = NoCaseDict({'X-Mine': '1'})
            return res

        res = get(make)
        self.assertEqual(res.headers['X-Mine'], '1')
        self.assertEqual(res.body, b'raw')
        self.assertEqual(res.headers['Content-Length'], '3')

    def test_status_alone(self):
        res = get(lambda: 204)
        self.assertEqual(res.status_code, 204)
        self.assertEqual(res.body, b'')
        res = get(lambda: 201)
        self.assertEqual(res.status_code, 201)

    def test_response_object(self):
        res = get(lambda: Response('made', status_code=201,
                                   headers={'X-A': 'b'}))
        self.assertEqual(res.status_code, 201)
        self.assertEqual(res.text, 'made')
        self.assertEqual(res.headers['X-A'], 'b')

    def test_response_positional_arguments(self):
        res = get(lambda: Response('made', 203, {'X-A': 'c'}))
        self.assertEqual(res.status_code, 203)
        self.assertEqual(res.headers['X-A'], 'c')

    def test_custom_reason(self):
        res = get(lambda: Response('x', status_code=299, reason='Fine'))
        self.assertEqual(res.status_code, 299)
        self.assertEqual(res.reason, 'Fine')

    def test_standard_reasons(self):
        self.assertEqual(get(lambda: ('', 404)).reason, 'Not Found')
        self.assertEqual(get(lambda: ('x', 201)).reason, 'Created')

    def test_empty_string_body(self):
        res = get(lambda: '')
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.body, b'')


class JSONResponseTest(unittest.TestCase):
    def test_dict(self):
        res = get(lambda: {'hello': 'world', 'n': [1, 2, None, True]})
        self.assertEqual(res.status_code, 200)
        self.assertTrue(res.headers['Content-Type'].startswith(
            'application/json'))
        self.assertEqual(json.loads(res.body.decode()),
                         {'hello': 'world', 'n': [1, 2, None, True]})
        self.assertEqual(res.json, {'hello': 'world', 'n': [1, 2, None, True]})
        self.assertEqual(res.headers['Content-Length'], str(len(res.body)))

    def test_list_with_status_and_headers(self):
        res = get(lambda: ([1, 'two', {'three': 3}], 201, {'X-A': '1'}))
        self.assertEqual(res.status_code, 201)
        self.assertEqual(res.headers['X-A'], '1')
        self.assertTrue(res.headers['Content-Type'].startswith(
            'application/json'))
        self.assertEqual(res.json, [1, 'two', {'three': 3}])

    def test_empty_containers_are_json(self):
        res = get(lambda: {})
        self.assertEqual(res.json, {})
        self.assertTrue(res.headers['Content-Type'].startswith(
            'application/json'))
        res = get(lambda: [])
        self.assertEqual(res.json, [])

    def test_unicode_json(self):
        res = get(lambda: {'name': 'caf\u00e9'})
        self.assertEqual(res.json, {'name': 'caf\u00e9'})
        self.assertEqual(res.headers['Content-Length'], str(len(res.body)))

    def test_explicit_content_type_wins(self):
        res = get(lambda: ({'a': 1}, {'Content-Type': 'application/x-mine'}))
        self.assertEqual(res.headers['Content-Type'], 'application/x-mine')


class RedirectTest(unittest.TestCase):
    def test_redirect_function(self):
        res = get(lambda: redirect('/about'))
        self.assertEqual(res.status_code, 302)
        self.assertEqual(res.headers['Location'], '/about')

    def test_redirect_status(self):
        res = get(lambda: redirect('https://example.com/x', status_code=301))
        self.assertEqual(res.status_code, 301)
        self.assertEqual(res.headers['Location'], 'https://example.com/x')

    def test_response_redirect(self):
        res = get(lambda: Response.redirect('/there'))
        self.assertEqual(res.status_code, 302)
        self.assertEqual(res.headers['Location'], '/there')


class DefaultContentTypeTest(unittest.TestCase):
    def setUp(self):
        self.saved = Response.default_content_type

    def tearDown(self):
        Response.default_content_type = self.saved

    def test_default_is_text_plain(self):
        self.assertTrue(self.saved.startswith('text/plain'))

    def test_changed_default(self):
        Response.default_content_type = 'text/html'
        res = get(lambda: '<p>x</p>')
        # a charset parameter may be added
        self.assertEqual(media_type(res), 'text/html')
        res = get(lambda: Response('<p>y</p>'))
        self.assertEqual(media_type(res), 'text/html')
        # JSON still says JSON
        res = get(lambda: {'a': 1})
        self.assertTrue(res.headers['Content-Type'].startswith(
            'application/json'))


class SendFileTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = make_temp_dir('mdsendfile')
        cls.files = {
            'index.html': b'<h1>index</h1>',
            'style.css': b'body{}',
            'app.js': b'var a=1;',
            'data.json': b'{"a": 1}',
            'img.png': b'\x89PNG\r\n\x1a\n' + bytes(range(256)),
            'photo.jpg': b'\xff\xd8\xff' + b'j' * 100,
            'notes.txt': b'plain notes',
            'blob.xyz': b'\x00\x01\x02',
            'page.html.gz': b'\x1f\x8bfakegzip',
            # larger than the read buffer: must stream in several reads
            'big.bin': bytes(range(256)) * (32 if IS_MICROPYTHON else 160),
        }
        for name in cls.files:
            write_file(cls.dir + '/' + name, cls.files[name])

    @classmethod
    def tearDownClass(cls):
        remove_tree(cls.dir)

    def path(self, name):
        return self.dir + '/' + name

    def send(self, *args, **kwargs):
        return get(lambda: send_file(*args, **kwargs))

    def test_contents_and_length(self):
        for name in ['index.html', 'img.png', 'big.bin']:
            res = self.send(self.path(name))
            self.assertEqual(res.status_code, 200)
            self.assertEqual(res.body, self.files[name])
            cl = res.headers.get('Content-Length')
            if cl is not None:
                self.assertEqual(cl, str(len(self.files[name])))

    def test_content_types_from_extension(self):
        expect = {
            'index.html': ['text/html'],
            'style.css': ['text/css'],
            'app.js': ['application/javascript', 'text/javascript'],
            'data.json': ['application/json'],
            'img.png': ['image/png'],
            'photo.jpg': ['image/jpeg'],
            'notes.txt': ['text/plain'],
            'blob.xyz': ['application/octet-stream'],
        }
        for name in expect:
            ctype = self.send(self.path(name)).headers['Content-Type']
            self.assertIn(ctype.split(';')[0].strip(), expect[name], name)

    def test_types_map_adds_and_overrides(self):
        Response.types_map['xyz'] = 'application/x-kit'
        Response.types_map['css'] = 'text/x-css'
        try:
            self.assertEqual(
                self.send(self.path('blob.xyz')).headers['Content-Type'],
                'application/x-kit')
            self.assertEqual(
                self.send(self.path('style.css')).headers['Content-Type'],
                'text/x-css')
        finally:
            del Response.types_map['xyz']
            del Response.types_map['css']
        self.assertEqual(
            self.send(self.path('style.css')).headers['Content-Type'],
            'text/css')

    def test_guess_type_table_edges(self):
        from microdot.streaming import guess_type
        for ext, ctype in [('svg', 'image/svg+xml'), ('txt', 'text/plain'),
                           ('', 'application/octet-stream'),
                           ('s', 'application/octet-stream'),
                           ('css text/css|gif', 'application/octet-stream'),
                           ('gif|', 'application/octet-stream'),
                           ('jsx', 'application/octet-stream')]:
            self.assertEqual(guess_type(Response, ext), ctype, ext)

    def test_explicit_content_type_and_status(self):
        res = self.send(self.path('notes.txt'), status_code=202,
                        content_type='text/markdown')
        self.assertEqual(res.status_code, 202)
        self.assertEqual(media_type(res), 'text/markdown')
        self.assertEqual(res.body, b'plain notes')

    def test_max_age(self):
        res = self.send(self.path('index.html'), max_age=3600)
        self.assertIn('max-age=3600', res.headers['Cache-Control'])
        res = self.send(self.path('index.html'))
        self.assertIsNone(res.headers.get('Cache-Control'))

    def test_zero_max_age(self):
        res = self.send(self.path('index.html'), max_age=0)
        self.assertIn('max-age=0', res.headers.get('Cache-Control') or '')

    def test_compressed_with_file_extension(self):
        res = self.send(self.path('page.html'), compressed=True,
                        file_extension='.gz')
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.body, self.files['page.html.gz'])
        self.assertEqual(res.headers['Content-Encoding'], 'gzip')
        self.assertTrue(res.headers['Content-Type'].startswith('text/html'))

    def test_compressed_gz_name(self):
        res = self.send(self.path('page.html.gz'), compressed=True)
        self.assertEqual(res.body, self.files['page.html.gz'])
        self.assertEqual(res.headers['Content-Encoding'], 'gzip')

    def test_stream_argument(self):
        res = self.send('virtual.json', stream=io.BytesIO(b'[1, 2]'))
        self.assertEqual(res.body, b'[1, 2]')
        self.assertTrue(res.headers['Content-Type'].startswith(
            'application/json'))

    def test_missing_file_is_an_error_response(self):
        res = self.send(self.path('does-not-exist.html'))
        self.assertGreaterEqual(res.status_code, 400)


class StreamingTest(unittest.TestCase):
    def test_sync_generator(self):
        def fib():
            a, b = 0, 1
            while a < 100:
                yield str(a) + '\n'
                a, b = b, a + b

        res = get(fib)
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.text,
                         '0\n1\n1\n2\n3\n5\n8\n13\n21\n34\n55\n89\n')

    def test_generator_mixing_bytes_and_str(self):
        def gen():
            yield b'ab'
            yield 'c\u00e9'
            yield b''
            yield 'd'

        res = get(gen)
        self.assertEqual(res.body, b'abc\xc3\xa9d')

    def test_async_iterator_class(self):
        res = get(lambda: Countdown(3))
        self.assertEqual(res.text, '3;2;1;')

    def test_generator_with_status_and_headers(self):
        def gen():
            yield 'a'
            yield 'b'

        res = get(lambda: (gen(), 206, {'Content-Type': 'text/csv'}))
        self.assertEqual(res.status_code, 206)
        self.assertEqual(res.headers['Content-Type'], 'text/csv')
        self.assertEqual(res.text, 'ab')

    def test_generator_in_response_object(self):
        def gen():
            for i in range(3):
                yield str(i)

        res = get(lambda: Response(gen()))
        self.assertEqual(res.text, '012')

    @unittest.skipIf(IS_MICROPYTHON,
                     'MicroPython has no async generators')
    def test_async_generator(self):
        scope = {}
        exec('async def agen():\n'
             '    for i in range(4):\n'
             '        yield str(i)\n', scope)
        res = get(lambda: scope['agen']())
        self.assertEqual(res.text, '0123')


class CookieTest(unittest.TestCase):
    def cookie_response(self, setter):
        def make():
            r = Response('x')
            setter(r)
            return r
        return get(make)

    def test_simple_cookie(self):
        res = self.cookie_response(lambda r: r.set_cookie('name', 'value'))
        name, value, attrs = find_cookie(res.headers, 'name')
        self.assertEqual(value, 'value')

    def test_all_attributes(self):
        res = self.cookie_response(lambda r: r.set_cookie(
            'sess', 'abc', path='/app', domain='example.com',
            expires='Thu, 01 Jan 2099 00:00:00 GMT', max_age=3600,
            secure=True, http_only=True, partitioned=True))
        name, value, attrs = find_cookie(res.headers, 'sess')
        self.assertEqual(value, 'abc')
        self.assertEqual(attrs.get('path'), '/app')
        self.assertEqual(attrs.get('domain'), 'example.com')
        self.assertEqual(attrs.get('expires'), 'Thu, 01 Jan 2099 00:00:00 GMT')
        self.assertEqual(attrs.get('max-age'), '3600')
        self.assertIs(attrs.get('secure'), True)
        self.assertIs(attrs.get('httponly'), True)
        self.assertIs(attrs.get('partitioned'), True)

    def test_flags_off_by_default(self):
        res = self.cookie_response(lambda r: r.set_cookie('a', '1'))
        attrs = find_cookie(res.headers, 'a')[2]
        self.assertNotIn('secure', attrs)
        self.assertNotIn('httponly', attrs)
        self.assertNotIn('partitioned', attrs)
        self.assertNotIn('max-age', attrs)
        self.assertNotIn('domain', attrs)

    def test_zero_max_age_is_sent(self):
        res = self.cookie_response(lambda r: r.set_cookie('a', 'x',
                                                          max_age=0))
        self.assertEqual(find_cookie(res.headers, 'a')[2].get('max-age'), '0')

    @unittest.skipIf(IS_MICROPYTHON, 'no datetime on MicroPython')
    def test_expires_datetime(self):
        import datetime
        when = datetime.datetime(2099, 1, 1, 12, 30, 5)
        res = self.cookie_response(lambda r: r.set_cookie('a', 'x',
                                                          expires=when))
        self.assertEqual(find_cookie(res.headers, 'a')[2].get('expires'),
                         'Thu, 01 Jan 2099 12:30:05 GMT')

    def test_several_cookies(self):
        def setter(r):
            r.set_cookie('a', '1')
            r.set_cookie('b', '2', http_only=True)
            r.set_cookie('c', '3')

        res = self.cookie_response(setter)
        self.assertEqual(len(set_cookie_headers(res.headers)), 3)
        self.assertEqual(find_cookie(res.headers, 'a')[1], '1')
        self.assertEqual(find_cookie(res.headers, 'b')[1], '2')
        self.assertIn('httponly', find_cookie(res.headers, 'b')[2])
        self.assertEqual(find_cookie(res.headers, 'c')[1], '3')

    def test_delete_cookie(self):
        res = self.cookie_response(lambda r: r.delete_cookie('sess'))
        name, value, attrs = find_cookie(res.headers, 'sess')
        self.assertEqual(value, '')
        expired = attrs.get('max-age') == '0' or \
            '1970' in str(attrs.get('expires', ''))
        self.assertTrue(expired, attrs)

    def test_delete_cookie_keeps_path(self):
        res = self.cookie_response(
            lambda r: r.delete_cookie('sess', path='/app', http_only=True))
        attrs = find_cookie(res.headers, 'sess')[2]
        self.assertEqual(attrs.get('path'), '/app')
        self.assertIn('httponly', attrs)

    def test_cookie_from_request_after_request(self):
        app = Microdot()

        @app.get('/')
        async def index(req):
            @req.after_request
            async def set_it(req, res):
                res.set_cookie('name', 'value')
                return res
            return 'Hello, World!'

        res = call(app, 'GET', '/')
        self.assertEqual(res.text, 'Hello, World!')
        self.assertEqual(find_cookie(res.headers, 'name')[1], 'value')


if __name__ == '__main__':
    unittest.main()
