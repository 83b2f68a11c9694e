"""microdot.asgi called in-process, the way an ASGI server calls it.

CPython only (the ASGI servers are); real servers: test_asgi_servers.py.
"""
import asyncio
import os
import sys
import unittest

from support import run

IS_MICROPYTHON = sys.implementation.name == 'micropython'
if not IS_MICROPYTHON:
    from microdot import Response
    from microdot.asgi import Microdot, asgi_app
    import microdot as core


def scope(path='/', method='GET', headers=(), query=b'', kind='http',
          **extra):
    s = {'type': kind, 'asgi': {'version': '3.0'}, 'http_version': '1.1',
         'method': method, 'scheme': 'http', 'path': path,
         'raw_path': path.encode(), 'query_string': query,
         'headers': [(k.lower().encode(), v.encode()) for k, v in headers],
         'client': ('10.0.0.7', 4321), 'server': ('127.0.0.1', 80)}
    s.update(extra)
    return s


class Peer:
    """The server side of one ASGI call: ``inbox`` is what ``receive()``
    hands out (then it waits for ``gone`` and reports a disconnect),
    ``sent`` what the app sent."""

    def __init__(self, inbox=(), disconnect='http.disconnect'):
        self.inbox = list(inbox)
        self.sent = []
        self.gone = asyncio.Event()
        self.disconnect = disconnect
        self.received = 0

    async def receive(self):
        self.received += 1
        if self.inbox:
            return self.inbox.pop(0)
        await self.gone.wait()
        return {'type': self.disconnect}

    async def send(self, msg):
        self.sent.append(msg)

    def start(self):
        return [m for m in self.sent if m['type'] == 'http.response.start'][0]

    def headers(self):
        return {k.decode(): v.decode() for k, v in self.start()['headers']}

    def body(self):
        return b''.join(m.get('body', b'') for m in self.sent
                        if m['type'] == 'http.response.body')


def call(app, s, inbox=()):
    peer = Peer(inbox)

    async def go():
        await asyncio.wait_for(app(s, peer.receive, peer.send), 5)
    run(go())
    return peer


def body_msgs(*pieces):
    return [{'type': 'http.request', 'body': p,
             'more_body': i < len(pieces) - 1} for i, p in enumerate(pieces)]


@unittest.skipIf(IS_MICROPYTHON, 'ASGI runs on CPython only')
class AsgiHttpTest(unittest.TestCase):
    def setUp(self):
        self.app = app = Microdot()
        self.seen = {}

        @app.route('/')
        async def index(request):
            self.seen['req'] = request
            return {'hello': 'world'}

        @app.route('/echo', methods=['POST'])
        async def echo(request):
            return request.body, {'Content-Type': 'application/x-echo'}

        @app.route('/big', methods=['POST'])
        async def big(request):
            self.seen['body'] = request.body
            total = 0
            while True:
                data = await request.stream.read(1000)
                if not data:
                    break
                total += len(data)
            return {'streamed': total}

        @app.route('/sync/<int:n>')
        def sync(request, n):
            return 'n=%d' % n

        @app.route('/gen')
        async def gen(request):
            def pieces():
                self.seen['started'] = True
                try:
                    for i in range(3):
                        yield 'piece%d;' % i
                finally:
                    self.seen['closed'] = True
            return pieces()

    def test_hello_json(self):
        peer = call(self.app, scope('/'))
        self.assertEqual(peer.start()['status'], 200)
        self.assertEqual(peer.headers()['content-type'],
                         'application/json; charset=UTF-8')
        self.assertEqual(peer.headers()['content-length'], '18')
        self.assertEqual(peer.body(), b'{"hello": "world"}')
        self.assertEqual(peer.received, 0)  # no body to wait for

    def test_request_from_scope(self):
        s = scope('/', query=b'a=1&b=%C3%A9', scheme='https',
                  headers=[('X-Thing', 'one'), ('Cookie', 'a=1'),
                           ('Cookie', 'b=2')])
        call(self.app, s)
        req = self.seen['req']
        self.assertIs(req.asgi_scope, s)
        self.assertEqual(req.scheme, 'https')
        self.assertEqual(req.client_addr, ('10.0.0.7', 4321))
        self.assertEqual(req.args['b'], '\xe9')
        self.assertEqual(req.headers['X-Thing'], 'one')
        self.assertEqual(req.cookies, {'a': '1', 'b': '2'})
        self.assertIsNone(req.sock)

    def test_percent_encoded_path(self):
        @self.app.route('/name/<name>')
        async def name(request, name):
            return name
        peer = call(self.app, scope('/name/a b\xe9',
                                    raw_path=b'/name/a%20b%C3%A9'))
        self.assertEqual(peer.body(), 'a b\xe9'.encode())

    def test_body_in_pieces(self):
        peer = call(self.app, scope('/echo', 'POST',
                                    [('Content-Length', '11')]),
                    body_msgs(b'hello', b' ', b'world'))
        self.assertEqual(peer.body(), b'hello world')
        self.assertEqual(peer.headers()['content-type'], 'application/x-echo')

    def test_large_body_is_streamed(self):
        old = core.Request.max_body_length, core.Request.max_content_length
        core.Request.max_body_length = 1000
        core.Request.max_content_length = 100000
        try:
            pieces = [b'x' * 700] * 10
            peer = call(self.app, scope('/big', 'POST',
                                        [('Content-Length', '7000')]),
                        body_msgs(*pieces))
            self.assertEqual(peer.body(), b'{"streamed": 7000}')
            self.assertEqual(self.seen['body'], b'')
            # without a Content-Length (chunked upload) too
            peer = call(self.app, scope('/big', 'POST',
                                        [('Transfer-Encoding', 'chunked')]),
                        body_msgs(*pieces))
            self.assertEqual(peer.body(), b'{"streamed": 7000}')
            # past max_content_length while streaming: 413
            core.Request.max_content_length = 5000
            peer = call(self.app, scope('/big', 'POST',
                                        [('Transfer-Encoding', 'chunked')]),
                        body_msgs(*pieces))
            self.assertEqual(peer.start()['status'], 413)
        finally:
            core.Request.max_body_length, core.Request.max_content_length \
                = old

    def test_too_large_goes_through_error_handlers(self):
        @self.app.errorhandler(413)
        async def too_big(request):
            return {'error': 'too big', 'path': request.path}, 413
        n = core.Request.max_content_length + 1
        peer = call(self.app, scope('/echo', 'POST',
                                    [('Content-Length', str(n))]),
                    body_msgs(b'x'))
        self.assertEqual(peer.start()['status'], 413)
        self.assertEqual(peer.body(), b'{"error": "too big", "path": "/echo"}')
        peer = call(self.app, scope('/echo', 'POST',
                                    [('Content-Length', '1x')]))
        self.assertEqual(peer.start()['status'], 400)

    def test_sync_handler_hooks_and_errors(self):
        @self.app.before_request
        def before(request):
            if request.args.get('stop'):
                return 'stopped', 403

        @self.app.after_request
        async def after(request, response):
            response.headers['X-After'] = 'yes'
        peer = call(self.app, scope('/sync/7'))
        self.assertEqual(peer.body(), b'n=7')
        self.assertEqual(peer.headers()['x-after'], 'yes')
        peer = call(self.app, scope('/sync/7', query=b'stop=1'))
        self.assertEqual(peer.start()['status'], 403)
        self.assertEqual(call(self.app, scope('/nope')).start()['status'],
                         404)
        peer = call(self.app, scope('/sync/1', 'POST',
                                    [('Content-Length', '0')]))
        self.assertEqual(peer.start()['status'], 405)

    def test_mount(self):
        sub = core.Microdot()

        @sub.route('/x')
        async def x(request):
            return 'sub ' + request.url_prefix
        self.app.mount(sub, '/api')
        self.assertEqual(call(self.app, scope('/api/x')).body(), b'sub /api')

    def test_streamed_response_with_more_body(self):
        peer = call(self.app, scope('/gen'))
        body = [m for m in peer.sent if m['type'] == 'http.response.body']
        self.assertEqual([m['body'] for m in body],
                         [b'piece0;', b'piece1;', b'piece2;', b''])
        self.assertEqual([m.get('more_body', False) for m in body],
                         [True, True, True, False])
        self.assertNotIn('content-length', peer.headers())
        self.assertTrue(self.seen['closed'])

    def test_no_content(self):
        @self.app.route('/none')
        async def none(request):
            return None
        peer = call(self.app, scope('/none'))
        self.assertEqual(peer.start()['status'], 204)
        self.assertNotIn('content-length', peer.headers())
        self.assertEqual(peer.body(), b'')

    def test_head(self):
        peer = call(self.app, scope('/', 'HEAD'))
        self.assertEqual(peer.headers()['content-length'], '18')
        self.assertEqual(peer.body(), b'')
        peer = call(self.app, scope('/gen', 'HEAD'))
        self.assertEqual(peer.start()['status'], 200)
        self.assertEqual(peer.body(), b'')
        self.assertNotIn('started', self.seen)  # the generator never ran

    def test_file_in_pieces(self):
        path = '/tmp/asgi_test_%d.txt' % os.getpid()
        with open(path, 'wb') as f:
            f.write(b'0123456789' * 300)

        @self.app.route('/file')
        async def file(request):
            return Response.send_file(path)
        old = Response.send_file_buffer_size
        Response.send_file_buffer_size = 1024
        try:
            peer = call(self.app, scope('/file'))
        finally:
            Response.send_file_buffer_size = old
            os.remove(path)
        self.assertEqual(peer.headers()['content-length'], '3000')
        self.assertTrue(peer.headers()['content-type'].startswith(
            'text/plain'))
        pieces = [m['body'] for m in peer.sent
                  if m['type'] == 'http.response.body' and m['body']]
        self.assertEqual([len(p) for p in pieces], [1024, 1024, 952])

    def test_disconnect_stops_the_generator(self):
        state = {'sent': 0}

        class Ticks:
            """An endless async body, as an event stream is."""

            def __aiter__(self):
                return self

            async def __anext__(self):
                await asyncio.sleep(0.01)
                state['sent'] += 1
                return b'tick\n'

            async def aclose(self):
                state['closed'] = True

        @self.app.route('/ticks')
        async def ticks(request):
            return Ticks()
        peer = Peer()

        async def go():
            task = asyncio.ensure_future(self.app(scope('/ticks'),
                                                  peer.receive, peer.send))
            while state['sent'] < 3:
                await asyncio.sleep(0.01)
            peer.gone.set()
            await asyncio.wait_for(task, 2)
        run(go())
        self.assertTrue(state.get('closed'))
        n = state['sent']
        run(asyncio.sleep(0.05))
        self.assertEqual(state['sent'], n)

    def test_asgi_app_adapts_a_core_app(self):
        app = core.Microdot()

        @app.route('/')
        async def index(request):
            return 'core app, ' + type(request.asgi_scope).__name__
        self.assertIs(asgi_app(app), app)
        self.assertEqual(call(app, scope('/')).body(), b'core app, dict')


@unittest.skipIf(IS_MICROPYTHON, 'ASGI runs on CPython only')
class AsgiLifespanTest(unittest.TestCase):
    def lifespan(self, app):
        peer = Peer([{'type': 'lifespan.startup'},
                     {'type': 'lifespan.shutdown'}])
        run(asyncio.wait_for(app(scope(kind='lifespan'), peer.receive,
                                 peer.send), 5))
        return peer.sent

    def test_hooks_run_with_the_scope(self):
        calls = []

        async def startup(s):
            calls.append(('startup', s['type']))

        def shutdown(s):
            calls.append(('shutdown', s['type']))
        sent = self.lifespan(Microdot(lifespan_startup=startup,
                                      lifespan_shutdown=shutdown))
        self.assertEqual([m['type'] for m in sent],
                         ['lifespan.startup.complete',
                          'lifespan.shutdown.complete'])
        self.assertEqual(calls, [('startup', 'lifespan'),
                                 ('shutdown', 'lifespan')])

    def test_no_hooks(self):
        self.assertEqual(len(self.lifespan(Microdot())), 2)

    def test_failing_startup(self):
        async def startup(s):
            raise RuntimeError('no database')
        sent = self.lifespan(Microdot(lifespan_startup=startup))
        self.assertEqual(sent[0]['type'], 'lifespan.startup.failed')
        self.assertIn('no database', sent[0]['message'])
        self.assertEqual(len(sent), 1)


if __name__ == '__main__':
    unittest.main()
