"""Bodies that break the limits, chunked bodies, and the error handlers
that answer requests whose body could not be read (through the test
client, which feeds raw bytes through the server's connection loop)."""
import unittest

from microdot import Microdot, Request
from support import call, room_for


def chunked(*parts, end=b'0\r\n\r\n'):
    """A chunked body: one chunk per part."""
    return b''.join(b'%x\r\n%s\r\n' % (len(p), p) for p in parts) + end


TE = {'Transfer-Encoding': 'chunked'}


def make_app(seen):
    app = Microdot()

    @app.post('/body')
    async def body(req):
        seen['body'] = req.body
        seen['content_length'] = req.content_length
        return 'ok'

    @app.post('/stream')
    async def stream(req):
        data = b''
        for _ in range(1000):
            piece = await req.stream.read(100)
            if not piece:
                break
            data += piece
        seen['body'] = req.body
        seen['stream'] = data
        return str(len(data))

    @app.post('/readall')
    async def readall(req):
        seen['stream'] = await req.stream.read()
        return 'ok'

    return app


class LimitsTestCase(unittest.TestCase):
    def setUp(self):
        self.saved = (Request.max_content_length, Request.max_body_length,
                      Request.max_readline, Request.max_head_length)
        self.seen = {}
        self.app = make_app(self.seen)

    def tearDown(self):
        (Request.max_content_length, Request.max_body_length,
         Request.max_readline, Request.max_head_length) = self.saved


class ChunkedBodyTest(LimitsTestCase):
    def test_small_chunked_body_is_loaded(self):
        res = call(self.app, 'POST', '/body', headers=TE,
                   body=chunked(b'hello', b', world'))
        self.assertEqual(res.status_code, 200)
        self.assertEqual(self.seen['body'], b'hello, world')
        self.assertEqual(self.seen['content_length'], 12)

    def test_chunked_body_over_max_body_length_is_streamed(self):
        Request.max_body_length = 100
        parts = [bytes([65 + i]) * 70 for i in range(5)]
        res = call(self.app, 'POST', '/stream', headers=TE,
                   body=chunked(*parts))
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.text, '350')
        self.assertEqual(self.seen['stream'], b''.join(parts))
        self.assertEqual(self.seen['body'], b'')

    def test_streamed_chunked_body_read_whole(self):
        Request.max_body_length = 10
        res = call(self.app, 'POST', '/readall', headers=TE,
                   body=chunked(b'a' * 30, b'b' * 30, b'c' * 5))
        self.assertEqual(res.status_code, 200)
        self.assertEqual(self.seen['stream'], b'a' * 30 + b'b' * 30 + b'c' * 5)

    def test_chunked_body_at_max_body_length_is_loaded(self):
        Request.max_body_length = 100
        call(self.app, 'POST', '/body', headers=TE,
             body=chunked(b'x' * 60, b'y' * 40))
        self.assertEqual(self.seen['body'], b'x' * 60 + b'y' * 40)

    def test_streamed_chunked_body_over_max_content_length(self):
        Request.max_body_length = 50
        Request.max_content_length = 150
        res = call(self.app, 'POST', '/stream', headers=TE,
                   body=chunked(b'a' * 80, b'b' * 80))
        self.assertEqual(res.status_code, 413)
        self.assertNotIn('stream', self.seen)

    def test_malformed_chunk_while_streaming(self):
        Request.max_body_length = 50
        res = call(self.app, 'POST', '/stream', headers=TE,
                   body=chunked(b'a' * 80, end=b'zz\r\nabc\r\n0\r\n\r\n'))
        self.assertEqual(res.status_code, 400)
        res = call(self.app, 'POST', '/stream', headers=TE,
                   body=chunked(b'a' * 80, end=b'5\r\nab'))
        self.assertEqual(res.status_code, 400)

    def test_chunk_sizes_must_be_hex_digits(self):
        for size in [b'-5', b'0x5', b'+5', b'5 5', b'']:
            res = call(self.app, 'POST', '/body', headers=TE,
                       body=size + b'\r\nhello\r\n0\r\n\r\n')
            self.assertEqual(res.status_code, 400, size)
        res = call(self.app, 'POST', '/body', headers=TE,
                   body=b'5 ; name=value\r\nhello\r\n0\r\nX-Trailer: 1\r\n\r\n')
        self.assertEqual(res.status_code, 200)
        self.assertEqual(self.seen['body'], b'hello')


class ErrorHandlersForBodyErrorsTest(LimitsTestCase):
    def setUp(self):
        super().setUp()
        seen = self.seen
        seen['errors'] = []
        app = self.app

        @app.errorhandler(413)
        async def too_large(req):
            seen['errors'].append((413, req.method, req.path))
            return {'error': 'too large'}, 413

        @app.errorhandler(400)
        async def bad(req):
            seen['errors'].append((400, req.method, req.path))
            return {'error': 'bad request'}, 400

        @app.after_error_request
        async def after(req, res):
            res.headers['X-After-Error'] = str(res.status_code)

    def test_413_goes_through_the_error_handler(self):
        res = call(self.app, 'POST', '/body?x=1',
                   body=b'x' * (Request.max_content_length + 1))
        self.assertEqual(res.status_code, 413)
        self.assertEqual(res.json, {'error': 'too large'})
        self.assertEqual(res.headers['X-After-Error'], '413')
        self.assertEqual(res.headers['Connection'], 'close')
        self.assertEqual(self.seen['errors'], [(413, 'POST', '/body')])
        self.assertNotIn('body', self.seen)

    def test_invalid_content_length_goes_through_the_error_handler(self):
        res = call(self.app, 'POST', '/body',
                   headers={'Content-Length': 'abc'})
        self.assertEqual(res.status_code, 400)
        self.assertEqual(res.json, {'error': 'bad request'})
        self.assertEqual(self.seen['errors'], [(400, 'POST', '/body')])

    def test_chunked_errors_go_through_the_error_handler(self):
        call(self.app, 'POST', '/body', headers=TE, body=b'zz\r\n')
        Request.max_content_length = 10
        call(self.app, 'POST', '/body', headers=TE, body=chunked(b'a' * 20))
        self.assertEqual(self.seen['errors'],
                         [(400, 'POST', '/body'), (413, 'POST', '/body')])

    def test_unreadable_head_gets_the_builtin_reply(self):
        # no request could be read, so there is none to give a handler
        res = call(self.app, 'GET', '/bad name')
        self.assertEqual(res.status_code, 400)
        self.assertEqual(self.seen['errors'], [])
        self.assertNotIn('X-After-Error', res.headers)

    def test_handler_that_fails_gives_500(self):
        app = Microdot()

        @app.errorhandler(413)
        async def broken(req):
            raise RuntimeError('handler bug')

        res = call(app, 'POST', '/x', body=b'x' * (Request.max_content_length
                                                   + 1))
        self.assertEqual(res.status_code, 500)


class DeepJsonTest(unittest.TestCase):
    def test_deeply_nested_json_is_not_a_server_error(self):
        app = Microdot()

        @app.post('/')
        async def index(req):
            return 'parsed' if req.json else 'empty'

        # CPython's parser recurses (RecursionError): 400; MicroPython's
        # does not and parses it, or runs out of heap on a small board: 503
        res = call(app, 'POST', '/', body=b'[' * 5000 + b']' * 5000,
                   headers={'Content-Type': 'application/json'})
        self.assertIn((res.status_code, res.text.strip()),
                      [(400, 'Bad request'), (200, 'parsed'),
                       (503, 'Out of memory')])


class HeadLimitTest(LimitsTestCase):
    def test_default(self):
        self.assertEqual(Request.max_head_length, 8 * 1024)

    def test_head_over_max_head_length(self):
        headers = {}
        for i in range(5):
            headers['X-Big-%d' % i] = 'v' * 1900  # each line under 2 KB
        res = room_for(call(self.app, 'POST', '/body', headers=headers))
        self.assertEqual(res.status_code, 431)
        Request.max_head_length = 16 * 1024
        res = room_for(call(self.app, 'POST', '/body', headers=headers))
        self.assertEqual(res.status_code, 200)


class FilesAttributeTest(unittest.TestCase):
    def test_files_is_an_empty_dict_without_uploads(self):
        app = Microdot()
        seen = {}

        @app.post('/')
        async def index(req):
            seen['files'] = req.files
            return 'ok'

        call(app, 'POST', '/', body=b'a=1',
             headers={'Content-Type': 'application/x-www-form-urlencoded'})
        self.assertEqual(seen['files'], {})


class ChunkedStreamMethodsTest(LimitsTestCase):
    def test_readexactly_and_readline(self):
        app = Microdot()
        seen = {}

        @app.post('/')
        async def index(req):
            seen['line'] = await req.stream.readline()
            seen['exact'] = await req.stream.readexactly(5)
            try:
                await req.stream.readexactly(1000)
            except EOFError:
                seen['eof'] = True
            return 'ok'

        Request.max_body_length = 10
        call(app, 'POST', '/', headers=TE,
             body=chunked(b'first line\nsec', b'ond and more'))
        self.assertEqual(seen['line'], b'first line\n')
        self.assertEqual(seen['exact'], b'secon')
        self.assertTrue(seen['eof'])


class OutOfMemoryTest(unittest.TestCase):
    def test_memory_error_reading_a_request_gives_503(self):
        import microdot.request as request_module
        saved = request_module.parse_head

        def no_memory(*args):
            raise MemoryError

        app = Microdot()
        request_module.parse_head = no_memory
        try:
            res = call(app, 'GET', '/')
        finally:
            request_module.parse_head = saved
        self.assertEqual(res.status_code, 503)
        self.assertEqual(res.headers['Connection'], 'close')
        self.assertEqual(res.text, 'Out of memory')
        self.assertEqual(res.headers['Content-Length'], '13')
        self.assertTrue(res.headers['Content-Type'].startswith('text/plain'))

    def test_memory_error_in_a_handler_gives_503(self):
        app = Microdot()

        @app.get('/')
        async def index(req):
            raise MemoryError

        @app.get('/ok')
        async def ok(req):
            return 'ok'

        self.assertEqual(call(app, 'GET', '/').status_code, 503)
        self.assertEqual(call(app, 'GET', '/ok').text, 'ok')
