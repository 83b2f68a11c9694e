"""The seams extensions stand on, pinned: hooks, request.g, assignable
form/files, request.sock on a real socket, Response.already_handled,
options_handler, the body iterator, the Vary set, middleware and route
endpoints. An extension that works on these works on any change of core."""
import unittest

from microdot import Microdot, Response
from support import HAS_SOCKETS, LiveServer, call, make_client, run


class HooksAndRequestTest(unittest.TestCase):
    def test_g_form_files_assignable(self):
        app = Microdot()

        @app.before_request
        async def fill(req):
            req.g.user = 'ann'
            req.form = {'field': 'v'}
            req.files = {'f': 'upload'}

        @app.post('/')
        async def index(req):
            return {'user': req.g.user, 'form': req.form, 'files': req.files}

        res = call(app, 'POST', '/', body=b'ignored')
        self.assertEqual(res.json, {'user': 'ann', 'form': {'field': 'v'},
                                    'files': {'f': 'upload'}})

    def test_per_request_after_hook_runs_last(self):
        app = Microdot()
        order = []

        @app.after_request
        async def app_hook(req, res):
            order.append('app')

        @app.get('/')
        async def index(req):
            @req.after_request
            async def mine(req, res):
                order.append('request')
                res.headers['X-Mine'] = '1'
            return 'x'

        res = call(app, 'GET', '/')
        self.assertEqual(order, ['app', 'request'])
        self.assertEqual(res.headers['X-Mine'], '1')


class VaryTest(unittest.TestCase):
    def test_names_merged_once(self):
        app = Microdot()

        @app.before_request
        async def one(req):
            req.vary.add('Origin')
            req.vary.add('Cookie')

        @app.get('/')
        async def index(req):
            req.vary.add('origin')  # the same name, other case: still once
            return 'x', {'Vary': 'Accept-Encoding'}

        res = call(app, 'GET', '/')
        self.assertEqual(res.headers['Vary'],
                         'Accept-Encoding, Cookie, Origin')

    def test_vary_on_a_plain_response(self):
        app = Microdot()

        @app.get('/')
        async def index(req):
            req.vary.add('Cookie')
            req.vary.add('Origin')
            return {'a': 1}

        for _ in range(2):  # the second from the cached head
            res = call(app, 'GET', '/')
            self.assertEqual(res.headers['Vary'], 'Cookie, Origin')
            self.assertEqual(res.json, {'a': 1})

    def test_no_vary_when_unused(self):
        app = Microdot()

        @app.get('/')
        async def index(req):
            return 'x'

        self.assertNotIn('Vary', call(app, 'GET', '/').headers)


class OptionsHandlerTest(unittest.TestCase):
    def test_default_and_replaced(self):
        app = Microdot()
        hooks = []

        @app.route('/r', methods=['GET', 'POST'])
        async def r(req):
            return 'x'

        @app.after_request
        async def after(req, res):
            hooks.append('after')

        @app.after_error_request
        async def after_error(req, res):
            hooks.append('error')

        res = call(app, 'OPTIONS', '/r')
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.headers['Allow'], 'GET, POST, HEAD, OPTIONS')
        self.assertEqual(hooks, ['after'])  # a normal response

        def custom(req):
            headers = app.default_options_handler(req)
            headers['X-Custom'] = 'yes'
            return headers

        app.options_handler = custom
        res = call(app, 'OPTIONS', '/r')
        self.assertEqual(res.headers['X-Custom'], 'yes')
        self.assertEqual(res.headers['Allow'], 'GET, POST, HEAD, OPTIONS')
        self.assertEqual(call(app, 'OPTIONS', '/none').status_code, 404)


class BodyIteratorTest(unittest.TestCase):
    def collect(self, res):
        async def go():
            it = res.body_iter()
            pieces = []
            async for piece in it:
                pieces.append(piece)
            await it.aclose()
            return pieces
        return run(go())

    def test_bodies(self):
        self.assertEqual(self.collect(Response('abc')), [b'abc'])
        self.assertEqual(self.collect(Response({'a': 1})), [b'{"a": 1}'])
        self.assertEqual(self.collect(Response(b'')), [])
        self.assertEqual(self.collect(Response(iter(['a', b'', b'b']))),
                         [b'a', b'b'])

    def test_aclose_closes_a_generator(self):
        state = []

        def gen():
            try:
                yield b'one'
                yield b'two'
            finally:
                state.append('closed')

        async def go():
            it = Response(gen()).body_iter()
            first = await it.__anext__()
            await it.aclose()
            return first

        self.assertEqual(run(go()), b'one')
        self.assertEqual(state, ['closed'])

    def test_framing(self):
        res = Response(iter([b'a']))
        self.assertTrue(res.framing('1.1', True))
        self.assertEqual(res.headers['Transfer-Encoding'], 'chunked')
        res = Response(iter([b'a']))
        self.assertFalse(res.framing('1.0', True))  # close ends the body
        res = Response('x', headers={'Connection': 'close'})
        self.assertFalse(res.framing('1.1', True))


class MiddlewareContractTest(unittest.TestCase):
    def test_levels_order_and_errors(self):
        log = []

        def named(name):
            class Mark:
                def __init__(self, next_handler, tag=''):
                    self.next = next_handler
                    self.tag = tag

                async def __call__(self, req):
                    log.append(name + self.tag + '>')
                    res = await self.next(req)
                    log.append('<' + name)
                    res.headers['X-' + name] = str(res.status_code)
                    return res
            return Mark

        app = Microdot(middleware=[named('app')])
        sub = Microdot()

        @sub.get('/item', middleware=[(named('route'), {'tag': '!'})])
        async def item(req):
            log.append('handler:' + str(req.route is item))
            return 'item'

        @sub.before_request
        async def before(req):
            log.append('before')

        app.mount(sub, '/sub', middleware=[named('mount')])
        res = call(app, 'GET', '/sub/item')
        self.assertEqual(res.text, 'item')
        self.assertEqual(log, ['app>', 'mount>', 'route!>', 'before',
                               'handler:True', '<route', '<mount', '<app'])
        # routing errors pass through app-level middleware only
        res = call(app, 'GET', '/missing')
        self.assertEqual((res.status_code, res.headers.get('X-app')),
                         (404, '404'))

    def test_raising_and_short_circuit(self):
        class Refuse:
            def __init__(self, next_handler):
                self.next = next_handler

            async def __call__(self, req):
                if req.path == '/boom':
                    raise ValueError('from middleware')
                if req.path == '/stop':
                    return Response('stopped', 403)
                return await self.next(req)

        app = Microdot()
        app.add_middleware(Refuse)

        @app.errorhandler(ValueError)
        async def handle(req, exc):
            return 'handled ' + str(exc), 500

        for path in ('/boom', '/stop', '/ok'):
            app.route(path)(lambda req: 'ok')
        self.assertEqual(call(app, 'GET', '/boom').text,
                         'handled from middleware')
        self.assertEqual(call(app, 'GET', '/stop').status_code, 403)
        self.assertEqual(call(app, 'GET', '/ok').text, 'ok')


class EndpointTest(unittest.TestCase):
    def test_endpoints_named(self):
        app = Microdot()
        api = Microdot()

        @api.get('/users/<int:id>')
        async def get_user(req, id):
            return 'u'

        @app.get('/', endpoint='home')
        async def index(req):
            return 'i'

        app.mount(api, '/api')
        names = [r.endpoint for r in app.url_map]
        self.assertEqual(names, ['home', 'api.get_user'])
        route = app.url_map[1]
        self.assertEqual(route.pattern.url_pattern, '/api/users/<int:id>')
        self.assertEqual(list(route.methods), ['GET'])  # a tuple for get()
        self.assertTrue(route.subapp is api)


class SockTest(unittest.TestCase):
    """request.sock has the same reader and writer on both runtimes: a
    handler that takes the connection over (as WebSocket does)."""

    def test_take_over_the_connection(self):
        if not HAS_SOCKETS:
            self.skipTest('this port has no socket module')
        app = Microdot()

        @app.get('/raw')
        async def raw(req):
            reader, writer = req.sock
            await writer.awrite(b'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n'
                                b'Connection: close\r\n\r\n')
            line = await reader.readline()
            data = await reader.readexactly(2)
            more = await reader.read(10)
            writer.write(line[:1] + data[:1] + more[:1])
            await writer.drain()
            await writer.aclose()
            return Response.already_handled

        async def go():
            srv = await LiveServer(app, 21900).start()
            try:
                c = await srv.client()
                await c.send(b'GET /raw HTTP/1.1\r\nHost: x\r\n\r\n'
                             b'L\nXYZ')
                res = await c.read_response()
                closed = await c.is_closed(3)
                return res, closed
            finally:
                await srv.stop()

        res, closed = run(go())
        self.assertEqual((res.status, res.body), (200, b'LXZ'))
        self.assertTrue(closed)


class AlreadyHandledTest(unittest.TestCase):
    def test_nothing_written(self):
        app = Microdot()

        @app.get('/')
        async def index(req):
            return Response.already_handled

        client = make_client(app)
        res = run(client.get('/'))
        self.assertIsNone(res.body)

    def test_takeover_runs_after_dispatch(self):
        # request.sock[0].takeover: a coroutine the server awaits once
        # dispatch (hooks included) is done with an already_handled reply,
        # then it closes the connection (WebSocket sessions run this way)
        app = Microdot()
        order = []

        async def session(writer):
            order.append('session')
            writer.write(b'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')
            await writer.drain()

        @app.get('/')
        async def index(req):
            req.sock[0].takeover = session(req.sock[1])
            return Response.already_handled

        @app.after_request
        async def after(req, res):
            order.append('after')
            return res

        client = make_client(app)
        res = run(client.get('/'))
        self.assertEqual(order, ['after', 'session'])
        self.assertIsNone(res.body)  # the test client's already_handled


    def test_takeover_end_gets_how_the_takeover_ended(self):
        # request.sock[0].takeover_end: awaited with None once the takeover
        # returned, with the exception that ended it otherwise (the
        # WebSocket's closing handshake runs this way, with no coroutine of
        # the extension's held around the handler)
        app = Microdot()
        ended = []

        async def session(fail):
            if fail:
                raise ValueError('handler failed')

        async def end(exc):
            ended.append(exc)

        @app.get('/<int:fail>')
        async def index(req, fail):
            conn = req.sock[0]
            conn.takeover = session(fail)
            conn.takeover_end = end
            return Response.already_handled

        client = make_client(app)
        run(client.get('/0'))
        run(client.get('/1'))
        self.assertIsNone(ended[0])
        self.assertIsInstance(ended[1], ValueError)
        self.assertEqual(len(ended), 2)


if __name__ == '__main__':
    unittest.main()
