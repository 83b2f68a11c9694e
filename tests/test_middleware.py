"""Middleware in an app: the three levels (app, mount, route), their
order, how they meet hooks and error handlers, answering without the
next handler; driven through the TestClient."""
import unittest

from microdot import Microdot, Response, abort
from microdot.middleware import Middleware
from support import call


def tagger(name, log):
    """A middleware class that logs 'name>' before and '<name' after, and
    adds its name to the X-Mw response header (innermost first)."""
    class Tag(Middleware):
        def __init__(self, next_handler, suffix=''):
            super().__init__(next_handler)
            self.suffix = suffix

        async def __call__(self, request):
            log.append(name + self.suffix + '>')
            res = await self.next_handler(request)
            log.append('<' + name + self.suffix)
            old = res.headers.get('X-Mw')
            res.headers['X-Mw'] = (old + ',' if old else '') + name
            return res
    return Tag


class Refuse(Middleware):
    """Answers 403 itself unless the request has X-Key."""

    async def __call__(self, request):
        if 'X-Key' not in request.headers:
            return Response('refused', 403)
        return await self.next_handler(request)


class Boom(Middleware):
    async def __call__(self, request):
        if request.path.endswith('/boom'):
            raise ZeroDivisionError('middleware failed')
        if request.path.endswith('/abort'):
            abort(418, 'teapot from middleware')
        return await self.next_handler(request)


class SeesRoute(Middleware):
    async def __call__(self, request):
        request.g.seen_route = request.route
        return await self.next_handler(request)


class LevelsTest(unittest.TestCase):
    def setUp(self):
        log = self.log = []
        A, B, M, R = (tagger(n, log) for n in ('A', 'B', 'M', 'R'))
        app = Microdot(middleware=[A])
        app.add_middleware(B, suffix='2')
        sub = Microdot()

        @sub.get('/item')
        async def item(request):
            log.append('handler')
            return 'item'

        @sub.get('/plain')
        async def plain(request):
            return 'plain'

        @sub.before_request
        async def sub_before(request):
            log.append('before')

        @sub.after_request
        async def sub_after(request, response):
            log.append('after')

        app.mount(sub, '/sub', middleware=[M])

        @app.get('/route', middleware=[R, (R, {'suffix': 'x'})])
        async def route(request):
            log.append('handler')
            return 'route'

        @app.get('/bare')
        async def bare(request):
            return 'bare'
        self.app = app

    def test_order_app_mount_route(self):
        res = call(self.app, 'GET', '/sub/item')
        self.assertEqual(res.text, 'item')
        self.assertEqual(self.log, ['A>', 'B2>', 'M>', 'before', 'handler',
                                    'after', '<M', '<B2', '<A'])
        self.assertEqual(res.headers['X-Mw'], 'M,B,A')

    def test_route_level(self):
        res = call(self.app, 'GET', '/route')
        # the sub-app was mounted without local=True: its hooks apply here
        self.assertEqual(self.log, ['A>', 'B2>', 'R>', 'Rx>', 'before',
                                    'handler', 'after', '<Rx', '<R', '<B2',
                                    '<A'])
        self.assertEqual(res.headers['X-Mw'], 'R,R,B,A')

    def test_levels_are_scoped(self):
        res = call(self.app, 'GET', '/bare')
        self.assertEqual(res.headers['X-Mw'], 'B,A')
        res = call(self.app, 'GET', '/sub/plain')
        self.assertEqual(res.headers['X-Mw'], 'M,B,A')

    def test_app_middleware_sees_routing_errors(self):
        res = call(self.app, 'GET', '/nowhere')
        self.assertEqual(res.status_code, 404)
        self.assertEqual(res.headers['X-Mw'], 'B,A')
        res = call(self.app, 'POST', '/bare')
        self.assertEqual(res.status_code, 405)
        self.assertEqual(res.headers['X-Mw'], 'B,A')

    def test_request_hooks_and_vary_after_middleware(self):
        log = self.log
        app = Microdot(middleware=[tagger('A', log)])

        @app.get('/')
        async def index(request):
            request.vary.add('Cookie')

            @request.after_request
            async def late(req, res):
                log.append('late:' + res.headers['X-Mw'])
            return 'x'
        res = call(app, 'GET', '/')
        self.assertEqual(log, ['A>', '<A', 'late:A'])
        self.assertEqual(res.headers['Vary'], 'Cookie')

    def test_gzip_through_the_server(self):
        from microdot.compress import GZip, gzip_compressor
        if gzip_compressor() is None:
            self.skipTest('this firmware can not compress')
        app = Microdot(middleware=[GZip])
        lines = ['line %d\n' % i for i in range(400)]

        @app.get('/stream')
        async def stream(request):
            return iter(lines)

        @app.get('/flat')
        async def flat(request):
            return ''.join(lines)
        for path in ('/stream', '/flat'):
            res = call(app, 'GET', path, headers={'Accept-Encoding': 'gzip'})
            self.assertEqual(res.headers['Content-Encoding'], 'gzip')
            try:
                import gzip
                data = gzip.decompress(res.body)
            except ImportError:
                import deflate
                import io
                data = deflate.DeflateIO(io.BytesIO(res.body),
                                         deflate.GZIP).read()
            self.assertEqual(data, ''.join(lines).encode(), path)
        res = call(app, 'HEAD', '/flat', headers={'Accept-Encoding': 'gzip'})
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.headers['Content-Encoding'], 'gzip')
        self.assertFalse(res.body)

    def test_no_middleware_no_change(self):
        app = Microdot()

        @app.get('/')
        async def index(request):
            return 'x'
        res = call(app, 'GET', '/')
        self.assertEqual(res.text, 'x')
        self.assertNotIn('X-Mw', res.headers)


class HooksAndErrorsTest(unittest.TestCase):
    def setUp(self):
        log = self.log = []
        app = Microdot(middleware=[tagger('A', log), Boom])

        @app.before_request
        async def before(request):
            log.append('before')
            if request.path == '/hook-abort':
                abort(401)

        @app.after_error_request
        async def after_error(request, response):
            log.append('after_error %d' % response.status_code)

        @app.errorhandler(ZeroDivisionError)
        async def zero(request, exc):
            log.append('zero handler')
            return {'error': str(exc)}, 500

        @app.errorhandler(418)
        async def teapot(request):
            return 'short and stout', 418

        @app.get('/ok')
        async def ok(request):
            return 'ok'

        @app.get('/hook-abort')
        async def hook_abort(request):
            return 'not reached'

        @app.get('/fail')
        async def fail(request):
            raise ZeroDivisionError('handler failed')

        @app.get('/guarded', middleware=[Refuse, SeesRoute])
        async def guarded(request):
            return 'route seen: ' + str(request.g.seen_route is guarded)

        self.app = app

    def test_handler_error_is_a_response_to_middleware(self):
        res = call(self.app, 'GET', '/fail')
        self.assertEqual(res.status_code, 500)
        self.assertEqual(res.json, {'error': 'handler failed'})
        self.assertEqual(res.headers['X-Mw'], 'A')  # A saw the response
        self.assertEqual(self.log, ['A>', 'before', 'zero handler',
                                    'after_error 500', '<A'])

    def test_middleware_exception_goes_to_error_handlers(self):
        res = call(self.app, 'GET', '/boom')
        self.assertEqual(res.status_code, 500)
        self.assertEqual(res.json, {'error': 'middleware failed'})
        self.assertIn('zero handler', self.log)
        self.assertIn('after_error 500', self.log)
        self.assertNotIn('before', self.log)  # Boom sits outside the hooks

    def test_middleware_abort(self):
        res = call(self.app, 'GET', '/abort')
        self.assertEqual(res.status_code, 418)
        self.assertEqual(res.text, 'short and stout')

    def test_hook_abort_seen_by_middleware(self):
        res = call(self.app, 'GET', '/hook-abort')
        self.assertEqual(res.status_code, 401)
        self.assertEqual(res.headers['X-Mw'], 'A')

    def test_answer_without_next(self):
        res = call(self.app, 'GET', '/guarded')
        self.assertEqual(res.status_code, 403)
        self.assertEqual(res.text, 'refused')
        self.assertNotIn('before', self.log)  # hooks are inside
        res = call(self.app, 'GET', '/guarded', headers={'X-Key': '1'})
        self.assertEqual(res.text, 'route seen: True')


if __name__ == '__main__':
    unittest.main()
