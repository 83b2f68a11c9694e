"""microdot.wsgi called in-process, the way a WSGI server calls it (PEP 3333).

CPython only; real servers (gunicorn): test_wsgi_servers.py.
"""
import sys
import unittest

IS_MICROPYTHON = sys.implementation.name == 'micropython'
if not IS_MICROPYTHON:
    import io
    import threading
    from wsgiref.util import setup_testing_defaults
    from wsgiref.validate import validator
    from microdot.wsgi import Microdot, wsgi_app
    import microdot as core


def environ(path='/', method='GET', body=b'', headers=None, query='',
            **extra):
    env = {'REQUEST_METHOD': method, 'PATH_INFO': path, 'SCRIPT_NAME': '',
           'QUERY_STRING': query, 'REMOTE_ADDR': '10.1.2.3',
           'REMOTE_PORT': '5555', 'wsgi.input': io.BytesIO(body)}
    if body:
        env['CONTENT_LENGTH'] = str(len(body))
    for name, value in (headers or {}).items():
        env['HTTP_' + name.upper().replace('-', '_')] = value
    env.update(extra)
    setup_testing_defaults(env)
    return env


class Call:
    """One WSGI call: status, headers, and the iterable, consumed on
    demand (``body()``) the way a server does it."""

    def __init__(self, app, env, validate=True):
        self.status = None
        self.headers = None

        def start_response(status, headers, exc_info=None):
            self.status = status
            self.headers = dict(headers)
        self.env = env
        self.result = (validator(app) if validate else app)(
            env, start_response)
        self.code = int(self.status.split()[0])

    def body(self):
        try:
            return b''.join(self.result)
        finally:
            if hasattr(self.result, 'close'):
                self.result.close()


@unittest.skipIf(IS_MICROPYTHON, 'WSGI runs on CPython only')
class WsgiTest(unittest.TestCase):
    def setUp(self):
        self.app = app = Microdot()
        self.seen = seen = {}

        @app.route('/')
        async def index(request):
            seen['req'] = request
            return {'hello': 'world'}

        @app.route('/echo', methods=['POST'])
        async def echo(request):
            return request.body

        @app.route('/big', methods=['POST'])
        async def big(request):
            seen['body'] = request.body
            total = 0
            first = await request.stream.readline()
            while True:
                data = await request.stream.read(1000)
                if not data:
                    break
                total += len(data)
            return {'first': first.decode(), 'rest': total}

        @app.route('/gen')
        def gen(request):
            def pieces():
                seen['started'] = True
                try:
                    for i in range(3):
                        seen['made'] = i
                        yield 'piece%d;' % i
                finally:
                    seen['closed'] = True
            return pieces()

    def test_hello(self):
        c = Call(self.app, environ('/'))
        self.assertEqual(c.status, '200 OK')
        self.assertEqual(c.headers['Content-Type'],
                         'application/json; charset=UTF-8')
        self.assertEqual(c.headers['Content-Length'], '18')
        self.assertEqual(c.body(), b'{"hello": "world"}')

    def test_request_from_environ(self):
        env = environ('/', query='a=1&b=%C3%A9',
                      headers={'X-Thing': 'one', 'Cookie': 'a=1; b=2'},
                      **{'wsgi.url_scheme': 'https'})
        Call(self.app, env).body()
        req = self.seen['req']
        self.assertIs(req.environ, env)
        self.assertEqual(req.scheme, 'https')
        self.assertEqual(req.client_addr, ('10.1.2.3', 5555))
        self.assertEqual(req.args['b'], '\xe9')
        self.assertEqual(req.headers['X-Thing'], 'one')
        self.assertEqual(req.cookies, {'a': '1', 'b': '2'})
        self.assertEqual(req.http_version, '1.0')  # wsgiref's default

    def test_path_bytes_are_decoded_once(self):
        @self.app.route('/name/<name>')
        async def name(request, name):
            return name
        # PEP 3333: the decoded URL bytes as latin-1
        path = '/name/a b\xe9'.encode('utf-8').decode('latin-1')
        self.assertEqual(Call(self.app, environ(path)).body(),
                         'a b\xe9'.encode())
        self.assertEqual(Call(self.app, environ('/name/100%')).body(),
                         b'100%')

    def test_small_body(self):
        c = Call(self.app, environ('/echo', 'POST', b'hello'))
        self.assertEqual(c.body(), b'hello')

    def test_large_body_is_streamed_from_wsgi_input(self):
        old = core.Request.max_body_length, core.Request.max_content_length
        core.Request.max_body_length = 100
        core.Request.max_content_length = 100000
        try:
            data = b'line one\n' + b'x' * 5000
            c = Call(self.app, environ('/big', 'POST', data))
            self.assertEqual(c.body(),
                             b'{"first": "line one\\n", "rest": 5000}')
            self.assertEqual(self.seen['body'], b'')
            # a chunked upload the server decodes (gunicorn)
            env = environ('/big', 'POST', headers={
                'Transfer-Encoding': 'chunked'}, **{
                'wsgi.input_terminated': True})
            env['wsgi.input'] = io.BytesIO(data)
            c = Call(self.app, env, validate=False)
            self.assertEqual(c.body(),
                             b'{"first": "line one\\n", "rest": 5000}')
            core.Request.max_content_length = 1000
            c = Call(self.app, environ('/big', 'POST', data))
            c.body()
            self.assertEqual(c.code, 413)
        finally:
            core.Request.max_body_length, core.Request.max_content_length \
                = old

    def test_errors_and_hooks(self):
        @self.app.errorhandler(404)
        async def missing(request):
            return {'missing': request.path}, 404

        @self.app.after_request
        def after(request, response):
            response.headers['X-After'] = '1'
            response.headers['Connection'] = 'keep-alive'  # hop-by-hop
        c = Call(self.app, environ('/nope'))
        self.assertEqual((c.code, c.body()), (404, b'{"missing": "/nope"}'))
        c = Call(self.app, environ('/'))
        c.body()
        self.assertEqual(c.headers['X-After'], '1')
        self.assertNotIn('Connection', c.headers)  # the validator checks
        c = Call(self.app, environ('/echo', 'PUT', b'x'))
        c.body()
        self.assertEqual(c.code, 405)
        n = core.Request.max_content_length + 1
        env = environ('/echo', 'POST', b'x')
        env['CONTENT_LENGTH'] = str(n)
        self.assertEqual(Call(self.app, env, validate=False).code, 413)

    def test_streamed_iterable_is_lazy_and_closed(self):
        c = Call(self.app, environ('/gen'))
        self.assertNotIn('Content-Length', c.headers)
        it = iter(c.result)
        self.assertEqual(next(it), b'piece0;')
        self.assertEqual(self.seen['made'], 0)  # one piece at a time
        c.result.close()  # as a server does when the client went away
        self.assertTrue(self.seen['closed'])
        self.assertEqual(self.seen['made'], 0)
        c = Call(self.app, environ('/gen'))
        self.assertEqual(c.body(), b'piece0;piece1;piece2;')

    def test_head(self):
        c = Call(self.app, environ('/', 'HEAD'))
        self.assertEqual(c.headers['Content-Length'], '18')
        self.assertEqual(c.body(), b'')
        self.seen.clear()
        c = Call(self.app, environ('/gen', 'HEAD'))
        self.assertEqual(c.body(), b'')
        self.assertNotIn('started', self.seen)

    def test_threads_each_get_a_loop(self):
        results = []

        def worker():
            for _ in range(20):
                results.append(Call(self.app, environ('/')).body())
        threads = [threading.Thread(target=worker) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        self.assertEqual(results, [b'{"hello": "world"}'] * 80)

    def test_wsgi_app_adapts_a_core_app(self):
        app = core.Microdot()

        @app.route('/')
        async def index(request):
            return request.environ['REQUEST_METHOD']
        self.assertIs(wsgi_app(app), app)
        self.assertEqual(Call(app, environ('/')).body(), b'GET')

    def test_websocket_without_a_socket(self):
        @self.app.route('/ws')
        async def ws(request):
            return 'sock=%r' % (request.sock,), 400
        c = Call(self.app, environ('/ws', headers={'Upgrade': 'websocket'}))
        self.assertEqual((c.code, c.body()), (400, b'sock=None'))


if __name__ == '__main__':
    unittest.main()
