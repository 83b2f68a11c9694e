"""Application behaviour: hooks, error handlers, abort, mounting and
sync/async handlers (driven through the TestClient)."""
import asyncio
import unittest

from microdot import Microdot, Response, HTTPException, abort, redirect
from support import IS_MICROPYTHON, call, make_client, run


class HooksTest(unittest.TestCase):
    def setUp(self):
        self.log = []
        log = self.log
        app = Microdot()

        @app.before_request
        async def before1(req):
            log.append('before1')
            req.g.who = 'me'

        @app.before_request
        def before2(req):  # sync hooks work too
            log.append('before2')
            if req.path == '/blocked':
                return 'Unauthorized', 401

        @app.after_request
        async def after1(req, res):
            log.append('after1')
            res.headers['X-After1'] = 'yes'
            # returns None: the same response object is used

        @app.after_request
        def after2(req, res):
            log.append('after2:' + str(isinstance(res, Response)))
            return res

        @app.after_error_request
        async def after_error(req, res):
            log.append('after_error:' + str(res.status_code))
            res.headers['X-After-Error'] = 'yes'
            return res

        @app.get('/')
        async def index(req):
            log.append('handler:' + req.g.who)
            return 'ok'

        @app.get('/blocked')
        async def blocked(req):
            log.append('blocked handler')
            return 'secret'

        @app.get('/fail')
        async def fail(req):
            log.append('handler')
            raise ValueError('boom')

        @app.get('/abort')
        async def aborts(req):
            abort(403)

        self.app = app

    def test_order_and_g(self):
        res = call(self.app, 'GET', '/')
        self.assertEqual(res.text, 'ok')
        self.assertEqual(res.headers['X-After1'], 'yes')
        self.assertEqual(self.log, ['before1', 'before2', 'handler:me',
                                    'after1', 'after2:True'])

    def test_before_request_short_circuits(self):
        res = call(self.app, 'GET', '/blocked')
        self.assertEqual(res.status_code, 401)
        self.assertEqual(res.text, 'Unauthorized')
        self.assertNotIn('blocked handler', self.log)

    def test_after_error_request_on_404(self):
        res = call(self.app, 'GET', '/missing')
        self.assertEqual(res.status_code, 404)
        self.assertEqual(res.headers.get('X-After-Error'), 'yes')
        self.assertIn('after_error:404', self.log)
        self.assertNotIn('after1', self.log)

    def test_after_error_request_on_exception(self):
        res = call(self.app, 'GET', '/fail')
        self.assertEqual(res.status_code, 500)
        self.assertEqual(res.headers.get('X-After-Error'), 'yes')
        self.assertIn('after_error:500', self.log)
        self.assertNotIn('after1', self.log)

    def test_after_error_request_on_abort(self):
        res = call(self.app, 'GET', '/abort')
        self.assertEqual(res.status_code, 403)
        self.assertIn('after_error:403', self.log)
        self.assertNotIn('after1', self.log)


class RequestAfterRequestTest(unittest.TestCase):
    def test_runs_after_app_wide_handlers(self):
        log = []
        app = Microdot()

        @app.after_request
        async def app_wide(req, res):
            log.append('app')
            res.headers['X-Order'] = 'app'
            return res

        @app.get('/')
        async def index(req):
            @req.after_request
            async def specific(req, res):
                log.append('specific:' + res.headers['X-Order'])
                res.headers['X-Order'] = 'specific'
                res.set_cookie('session', '', http_only=True)
                return res

            @req.after_request
            def replace(req, res):  # sync, and replaces the response
                log.append('replace')
                return Response('replaced', status_code=202,
                                headers={'X-Order': res.headers['X-Order']})

            return 'original'

        @app.get('/other')
        async def other(req):
            return 'other'

        res = call(app, 'GET', '/')
        self.assertEqual(log, ['app', 'specific:app', 'replace'])
        self.assertEqual(res.status_code, 202)
        self.assertEqual(res.text, 'replaced')
        self.assertEqual(res.headers['X-Order'], 'specific')
        # request-specific: not applied to the next request
        n = len(log)
        res = call(app, 'GET', '/other')
        self.assertEqual(res.text, 'other')
        self.assertEqual(log[n:], ['app'])


class ErrorHandlersTest(unittest.TestCase):
    def test_status_code_handler(self):
        app = Microdot()

        @app.errorhandler(404)
        async def not_found(req):
            return {'error': 'resource not found'}, 404

        @app.errorhandler(405)
        def not_allowed(req):
            return 'custom 405', 405

        @app.get('/x')
        async def x(req):
            return 'x'

        res = call(app, 'GET', '/nothing')
        self.assertEqual(res.status_code, 404)
        self.assertEqual(res.json, {'error': 'resource not found'})
        res = call(app, 'POST', '/x')
        self.assertEqual(res.status_code, 405)
        self.assertEqual(res.text, 'custom 405')

    def test_500_handler_for_unhandled_exception(self):
        app = Microdot()

        @app.errorhandler(500)
        async def server_error(req):
            return 'we broke', 500

        @app.get('/')
        async def index(req):
            return 1 / 0

        res = call(app, 'GET', '/')
        self.assertEqual(res.status_code, 500)
        self.assertEqual(res.text, 'we broke')

    def test_exception_class_handler(self):
        app = Microdot()
        seen = []

        @app.errorhandler(ZeroDivisionError)
        async def division_by_zero(req, exc):
            seen.append(exc)
            return {'error': 'division by zero'}, 500

        @app.get('/')
        async def index(req):
            return 1 / 0

        res = call(app, 'GET', '/')
        self.assertEqual(res.status_code, 500)
        self.assertEqual(res.json, {'error': 'division by zero'})
        self.assertIsInstance(seen[0], ZeroDivisionError)

    def _specific_app(self, order):
        class AppError(Exception):
            pass

        class DbError(AppError):
            pass

        class DbTimeout(DbError):
            pass

        app = Microdot()

        def make(label):
            async def handler(req, exc):
                return label + ':' + type(exc).__name__, 500
            return handler

        classes = {'Exception': Exception, 'AppError': AppError,
                   'DbError': DbError}
        for name in order:
            app.errorhandler(classes[name])(make(name))

        errors = {'app': AppError, 'db': DbError, 'timeout': DbTimeout,
                  'key': KeyError}

        @app.get('/<kind>')
        async def raise_it(req, kind):
            raise errors[kind]('x')

        return app

    def test_most_specific_handler(self):
        for order in (['Exception', 'AppError', 'DbError'],
                      ['DbError', 'AppError', 'Exception'],
                      ['AppError', 'Exception', 'DbError']):
            app = self._specific_app(order)
            self.assertEqual(call(app, 'GET', '/app').text,
                             'AppError:AppError', order)
            self.assertEqual(call(app, 'GET', '/db').text, 'DbError:DbError',
                             order)
            self.assertEqual(call(app, 'GET', '/timeout').text,
                             'DbError:DbTimeout', order)
            self.assertEqual(call(app, 'GET', '/key').text,
                             'Exception:KeyError', order)

    def test_builtin_hierarchy(self):
        app = Microdot()

        @app.errorhandler(ArithmeticError)
        async def arith(req, exc):
            return 'arith', 400

        @app.errorhandler(Exception)
        async def anything(req, exc):
            return 'anything', 500

        @app.get('/zero')
        async def zero(req):
            return 1 / 0

        @app.get('/key')
        async def key(req):
            return {}['x']

        self.assertEqual(call(app, 'GET', '/zero').text, 'arith')
        self.assertEqual(call(app, 'GET', '/zero').status_code, 400)
        self.assertEqual(call(app, 'GET', '/key').text, 'anything')

    def test_error_handler_that_raises_gives_500(self):
        app = Microdot()

        @app.errorhandler(ValueError)
        async def bad_handler(req, exc):
            raise RuntimeError('handler broke too')

        @app.get('/')
        async def index(req):
            raise ValueError('x')

        @app.get('/ok')
        async def ok(req):
            return 'fine'

        self.assertEqual(call(app, 'GET', '/').status_code, 500)
        self.assertEqual(call(app, 'GET', '/ok').text, 'fine')

    def test_unhandled_exception_500_then_app_keeps_going(self):
        app = Microdot()

        @app.get('/fail')
        async def fail(req):
            raise KeyError('x')

        @app.get('/ok')
        def ok(req):
            return 'fine'

        client = make_client(app)

        async def go():
            r1 = await client.get('/fail')
            r2 = await client.get('/ok')
            return r1, r2

        r1, r2 = run(go())
        self.assertEqual(r1.status_code, 500)
        self.assertEqual(r2.status_code, 200)
        self.assertEqual(r2.text, 'fine')


class AbortTest(unittest.TestCase):
    def setUp(self):
        app = Microdot()

        @app.get('/plain')
        async def plain(req):
            abort(404)
            return 'not reached'

        @app.get('/reason')
        def with_reason(req):
            abort(400, 'Custom reason')

        @app.get('/before')
        async def guarded(req):
            return 'not reached'

        @app.before_request
        async def guard(req):
            if req.path == '/before':
                abort(401)

        @app.get('/raise')
        async def raise_it(req):
            raise HTTPException(418)

        self.app = app

    def test_abort_status(self):
        res = call(self.app, 'GET', '/plain')
        self.assertEqual(res.status_code, 404)
        self.assertNotEqual(res.text, 'not reached')

    def test_abort_reason(self):
        res = call(self.app, 'GET', '/reason')
        self.assertEqual(res.status_code, 400)
        self.assertTrue('Custom reason' in res.text or
                        res.reason == 'Custom reason', (res.text, res.reason))

    def test_abort_in_before_request(self):
        res = call(self.app, 'GET', '/before')
        self.assertEqual(res.status_code, 401)
        self.assertNotEqual(res.text, 'not reached')

    def test_http_exception(self):
        self.assertEqual(call(self.app, 'GET', '/raise').status_code, 418)

    def test_abort_raises(self):
        with self.assertRaises(HTTPException):
            abort(409)
        try:
            abort(409, 'conflict')
        except HTTPException as exc:
            self.assertEqual(exc.status_code, 409)
            self.assertEqual(exc.reason, 'conflict')

    def test_abort_uses_status_error_handler(self):
        @self.app.errorhandler(404)
        async def nf(req):
            return 'custom not found', 404

        res = call(self.app, 'GET', '/plain')
        self.assertEqual(res.status_code, 404)
        self.assertEqual(res.text, 'custom not found')


class MountTest(unittest.TestCase):
    def make_sub(self, log, tag):
        sub = Microdot()
        seen = {}

        @sub.before_request
        async def sub_before(req):
            log.append(tag + ' before ' + req.path)

        @sub.after_request
        async def sub_after(req, res):
            res.headers['X-Sub'] = tag
            return res

        @sub.errorhandler(ValueError)
        async def sub_value_error(req, exc):
            return tag + ' handled', 400

        @sub.errorhandler(404)
        async def sub_404(req):
            return tag + ' 404', 404

        @sub.get('/')
        async def sub_index(req):
            seen['req'] = req
            return tag + ' index'

        @sub.post('/')
        async def sub_new(req):
            return tag + ' created', 201

        @sub.get('/<int:id>')
        async def sub_item(req, id):
            seen['req'] = req
            return {'id': id, 'prefix': req.url_prefix}

        @sub.get('/fail')
        async def sub_fail(req):
            raise ValueError('x')

        @sub.get('/go')
        async def sub_go(req):
            return redirect(req.url_prefix + '/relative-url')

        return sub, seen

    def make_main(self, log):
        app = Microdot()

        @app.get('/')
        async def index(req):
            log.append('main prefix=' + repr(req.url_prefix) +
                       ' subapp=' + repr(req.subapp))
            return 'main index'

        @app.get('/fail')
        async def fail(req):
            raise ValueError('main')

        return app

    def test_routes_and_prefix(self):
        log = []
        app = self.make_main(log)
        customers, cseen = self.make_sub(log, 'customers')
        orders, oseen = self.make_sub(log, 'orders')
        app.mount(customers, url_prefix='/customers')
        app.mount(orders, url_prefix='/orders')

        self.assertEqual(call(app, 'GET', '/').text, 'main index')
        self.assertEqual(call(app, 'GET', '/customers/').text,
                         'customers index')
        self.assertEqual(call(app, 'POST', '/orders/').status_code, 201)
        self.assertEqual(call(app, 'POST', '/orders/').text, 'orders created')
        res = call(app, 'GET', '/orders/12')
        self.assertEqual(res.json, {'id': 12, 'prefix': '/orders'})
        req = oseen['req']
        self.assertIs(req.subapp, orders)
        self.assertEqual(req.url_prefix, '/orders')
        self.assertIs(req.app, app)
        self.assertEqual(call(app, 'DELETE', '/orders/12').status_code, 405)

    def test_redirect_relative_to_prefix(self):
        log = []
        app = self.make_main(log)
        sub, seen = self.make_sub(log, 'sub')
        app.mount(sub, url_prefix='/sub')
        res = call(app, 'GET', '/sub/go')
        self.assertEqual(res.status_code, 302)
        self.assertEqual(res.headers['Location'], '/sub/relative-url')

    def test_main_routes_have_no_prefix(self):
        log = []
        app = self.make_main(log)
        sub, seen = self.make_sub(log, 'sub')
        app.mount(sub, url_prefix='/sub')
        call(app, 'GET', '/')
        self.assertIn("main prefix='' subapp=None", log)

    def test_handlers_copied_to_main_app(self):
        log = []
        app = self.make_main(log)
        sub, seen = self.make_sub(log, 'sub')
        app.mount(sub, url_prefix='/sub')
        res = call(app, 'GET', '/')
        # not local: the sub-app's hooks apply to the whole application
        self.assertIn('sub before /', log)
        self.assertEqual(res.headers.get('X-Sub'), 'sub')
        res = call(app, 'GET', '/fail')
        self.assertEqual(res.status_code, 400)
        self.assertEqual(res.text, 'sub handled')
        res = call(app, 'GET', '/sub/fail')
        self.assertEqual(res.text, 'sub handled')

    def test_local_mount(self):
        log = []
        app = self.make_main(log)
        sub, seen = self.make_sub(log, 'sub')
        app.mount(sub, url_prefix='/sub', local=True)

        res = call(app, 'GET', '/')
        self.assertEqual(res.text, 'main index')
        self.assertNotIn('sub before /', log)
        self.assertIsNone(res.headers.get('X-Sub'))
        self.assertEqual(call(app, 'GET', '/fail').status_code, 500)

        res = call(app, 'GET', '/sub/')
        self.assertEqual(res.text, 'sub index')
        self.assertIn('sub before /sub/', log)
        self.assertEqual(res.headers.get('X-Sub'), 'sub')
        res = call(app, 'GET', '/sub/fail')
        self.assertEqual(res.status_code, 400)
        self.assertEqual(res.text, 'sub handled')

    def test_nested_mounts(self):
        log = []
        app = self.make_main(log)
        inner, seen = self.make_sub(log, 'inner')
        middle = Microdot()

        @middle.get('/')
        async def middle_index(req):
            return 'middle'

        middle.mount(inner, url_prefix='/b')
        app.mount(middle, url_prefix='/a')
        self.assertEqual(call(app, 'GET', '/a/').text, 'middle')
        self.assertEqual(call(app, 'GET', '/a/b/').text, 'inner index')
        res = call(app, 'GET', '/a/b/7')
        self.assertEqual(res.json, {'id': 7, 'prefix': '/a/b'})
        self.assertEqual(call(app, 'GET', '/b/7').status_code, 404)

    def test_mount_without_prefix(self):
        log = []
        app = Microdot()
        sub, seen = self.make_sub(log, 'sub')
        app.mount(sub)
        res = call(app, 'GET', '/5')
        self.assertEqual(res.json, {'id': 5, 'prefix': ''})


class MethodsAddedOnFirstUseTest(unittest.TestCase):
    # put(), mount(), set_cookie(), request.sock.readline() ... live in
    # companion classes (app_extras, cookies, connection_extras) that
    # MicroPython adds to the class on first use

    def test_rare_methods_work_on_instances(self):
        app = Microdot()

        @app.put('/x')
        async def x(req):
            res = Response('put')
            res.set_cookie('a', '1')
            res.delete_cookie('b')
            return res

        @app.patch('/x')
        async def y(req):
            return str(hasattr(req.sock[0], 'readline')) + \
                str(callable(req.sock[1].awrite))

        self.assertEqual(app.url_for('x'), '/x')
        class FakeRequest:
            method = 'PUT'
            path = '/x'

        self.assertIs(app.find_route(FakeRequest())[0].handler, x)
        res = call(app, 'PUT', '/x')
        self.assertEqual(res.text, 'put')
        self.assertEqual(len(res.headers['Set-Cookie']), 2)
        self.assertEqual(call(app, 'PATCH', '/x').text, 'TrueTrue')
        # after first use the class has them too
        self.assertTrue(callable(Microdot.mount))
        self.assertTrue(callable(Response.set_cookie))

    def test_unknown_names_are_attribute_errors(self):
        app = Microdot()
        self.assertFalse(hasattr(app, 'no_such_method'))
        self.assertFalse(hasattr(app, '__no_such_dunder__'))
        self.assertFalse(hasattr(Response(), 'no_such_method'))
        with self.assertRaises(AttributeError):
            app.no_such_method()


class SyncAsyncHandlersTest(unittest.TestCase):
    def test_sync_and_async_handlers(self):
        app = Microdot()

        @app.get('/sync')
        def sync_handler(req):
            return 'sync ' + req.method

        @app.get('/async')
        async def async_handler(req):
            await asyncio.sleep(0)
            return 'async ' + req.method

        @app.get('/sync-args/<int:n>')
        def sync_args(req, n):
            return {'n': n}

        self.assertEqual(call(app, 'GET', '/sync').text, 'sync GET')
        self.assertEqual(call(app, 'GET', '/async').text, 'async GET')
        self.assertEqual(call(app, 'GET', '/sync-args/3').json, {'n': 3})

    @unittest.skipIf(IS_MICROPYTHON,
                     'MicroPython runs sync handlers inline by design')
    def test_sync_handler_runs_in_thread_on_cpython(self):
        import threading
        app = Microdot()
        seen = {}

        @app.get('/')
        def sync_handler(req):
            seen['thread'] = threading.get_ident()
            return 'ok'

        async def go():
            seen['loop'] = threading.get_ident()
            return await make_client(app).get('/')

        self.assertEqual(run(go()).text, 'ok')
        self.assertNotEqual(seen['thread'], seen['loop'])

    def test_sync_error_handler_and_hooks(self):
        app = Microdot()

        @app.errorhandler(KeyError)
        def key_error(req, exc):
            return 'no key', 404

        @app.after_request
        def after(req, res):
            res.headers['X-Sync'] = '1'
            return res

        @app.get('/')
        def index(req):
            return {}['missing']

        @app.get('/ok')
        def ok(req):
            return 'ok'

        res = call(app, 'GET', '/')
        self.assertEqual(res.status_code, 404)
        self.assertEqual(res.text, 'no key')
        self.assertEqual(call(app, 'GET', '/ok').headers['X-Sync'], '1')

    def test_async_handlers_run_concurrently(self):
        app = Microdot()
        event = asyncio.Event()

        @app.get('/wait')
        async def wait(req):
            await event.wait()
            return 'waited'

        @app.get('/set')
        async def set_it(req):
            event.set()
            return 'set'

        client = make_client(app)

        async def go():
            t = asyncio.create_task(client.get('/wait'))
            await asyncio.sleep(0.01)
            r2 = await asyncio.wait_for(client.get('/set'), 2)
            r1 = await asyncio.wait_for(t, 2)
            return r1, r2

        r1, r2 = run(go())
        self.assertEqual(r1.text, 'waited')
        self.assertEqual(r2.text, 'set')


if __name__ == '__main__':
    unittest.main()
