"""The application: routes, hooks, error handlers, middleware, dispatch
and mounting."""
import asyncio

from .helpers import MICROPYTHON, invoke_handler, add_methods, \
    method_on_first_use
if MICROPYTHON:
    from .helpers import FUNCTION, GENERATOR
from .exceptions import HTTPException, abort
from .response import Response
from .routing import URLPattern, Route, lookup


class Microdot:
    """A web application.

    Register routes with :meth:`route` (or :meth:`get`, :meth:`post`, ...),
    hooks with :meth:`before_request` / :meth:`after_request` /
    :meth:`after_error_request`, error handlers with :meth:`errorhandler`,
    then serve with :meth:`run` or ``await`` :meth:`start_server`.

    ``middleware`` is a list of middleware classes (or ``(cls, options)``
    pairs) that wrap every request of the app, outermost first (see
    :meth:`add_middleware`).
    """

    def __init__(self, middleware=None):
        #: the routes, as :class:`~microdot.routing.Route` objects
        self.url_map = []
        self.before_request_handlers = []
        self.after_request_handlers = []
        self.after_error_request_handlers = []
        self.error_handlers = {}
        self.middleware = list(middleware or ())
        self.debug = False
        #: Seconds a kept-alive connection may wait for its next request.
        self.idle_timeout = 30
        #: Seconds a started request has to arrive, and each write to finish.
        self.request_timeout = 10
        #: HTTP/1.1 keep-alive; False closes every connection after one
        #: response, as upstream Microdot does.
        self.keep_alive = True
        #: Most connections served at once (None: no limit); past it the
        #: oldest idle kept-alive connection is closed for a new one.
        self.max_connections = None
        #: The running :class:`~microdot.server.Server`, while serving.
        self.server = None
        self._app_stack = None  # the middleware stack, built on first use
        self._chain = (self,)  # the chain of the app's own routes, shared

    def __getattr__(self, name):
        # put(), mount(), url_for() and the other methods few apps call are
        # in microdot.app_extras, added to the class on first use (see
        # there); only MicroPython gets here for them
        return method_on_first_use(self, Microdot, name, 'app_extras',
                                   'AppExtras')

    # -- registration -----------------------------------------------------

    def route(self, url_pattern, methods=None, middleware=None,
              endpoint=None):
        """Decorator: call the function for requests to ``url_pattern``.

        ``methods`` lists the HTTP methods (default ``['GET']``). Dynamic
        segments of the URL (``<int:id>``) are passed as keyword arguments.
        ``middleware`` wraps this route only (inside app and mount
        middleware); ``endpoint`` names it for :meth:`url_for` (default:
        the function's name).
        """
        def decorated(f):
            # ('GET',): a constant, where a list would be 64 bytes a route
            self.url_map.append(Route(
                methods or ('GET',), URLPattern(url_pattern), f,
                endpoint or getattr(f, '__name__', None), '', None,
                self._chain, list(middleware) if middleware else ()))
            return f
        return decorated

    def get(self, url_pattern, **kwargs):
        """Shortcut for ``route(url_pattern, methods=['GET'])``."""
        return self.route(url_pattern, ('GET',), **kwargs)

    def post(self, url_pattern, **kwargs):
        """Shortcut for ``route(url_pattern, methods=['POST'])``."""
        return self.route(url_pattern, ('POST',), **kwargs)

    def before_request(self, f):
        """Decorator: run ``f(request)`` before each request's handler.

        If it returns a value, that value is the response and the route
        handler is not called.
        """
        self.before_request_handlers.append(f)
        return f

    def after_request(self, f):
        """Decorator: run ``f(request, response)`` after each successful
        request; a returned response replaces the original. The response
        is complete: its ``headers`` hold Content-Type and Content-Length."""
        self.after_request_handlers.append(f)
        return f

    def errorhandler(self, status_code_or_exception_class):
        """Decorator: handle an HTTP status code (``f(request)``) or an
        exception class and its subclasses (``f(request, exception)``)."""
        def decorated(f):
            self.error_handlers[status_code_or_exception_class] = f
            return f
        return decorated

    abort = staticmethod(abort)

    # -- dispatch ---------------------------------------------------------

    async def dispatch_request(self, req):
        """Run middleware, hooks, the matching handler and error handling
        for ``req`` and return the :class:`Response`. ``req`` None (a
        request that could not be parsed) is answered 400.

        With middleware, the innermost one calls this again for the same
        request (``request.url_args`` is then set): that call runs the
        before-request hooks, the handler and the after-request hooks only.
        One method for both keeps a request without middleware at one
        coroutine (a second one costs ~290 bytes per request on
        MicroPython).
        """
        if req is None:
            return await self.handle_exception(None, HTTPException(400),
                                               (self,))
        route = req._route
        stacked = route is not False
        stack = None
        if stacked:
            args = req.url_args
        else:
            route, args = lookup(self.url_map, req.method, req.path)
            if route is not None:
                req.route = route.handler
                if route.subapp is not None:
                    req.url_prefix = route.url_prefix
                    req.subapp = route.subapp
                stack = route.stack
                if stack is None and (self.middleware or route.middleware):
                    from .composition import build_stack
                    stack = route.stack = build_stack(self, route)
            else:
                stack = self._app_stack
                if stack is None and self.middleware:
                    from .composition import build_stack
                    stack = self._app_stack = build_stack(self, None)
        chain = self._chain if route is None else route.chain
        if stack is not None:
            req._route = route  # None when no route matched
            req.url_args = args
            try:
                res = await stack(req)
                if not isinstance(res, Response):
                    res = self.make_response(res)
            except Exception as exc:
                res = await self.handle_exception(req, exc, chain)
        else:
            # the endpoint: before-request hooks, handler, after-request
            # hooks; the part middleware wraps
            try:
                res = None
                if route is None:
                    if args is None:
                        raise HTTPException(404)
                    if req.method != 'OPTIONS':
                        raise HTTPException(405)  # errors adds Allow
                    res = await invoke_handler(self.options_handler, req)
                    if isinstance(res, dict):
                        res = Response(headers=res)
                else:
                    for app in chain:
                        for handler in app.before_request_handlers:
                            if MICROPYTHON:
                                # invoke_handler() inlined: one coroutine
                                # less per hook (CSRF, sessions, auth)
                                res = handler(req)
                                if type(res) is GENERATOR and \
                                        type(handler) is not FUNCTION:
                                    res = await res
                            else:
                                res = await invoke_handler(handler, req)
                            if res is not None:
                                break
                        if res is not None:
                            break
                    if res is None:
                        handler = route.handler
                        if MICROPYTHON:
                            # invoke_handler() inlined: one coroutine less
                            # per request
                            res = handler(req, **args) if args else \
                                handler(req)
                            if type(res) is GENERATOR and \
                                    type(handler) is not FUNCTION:
                                res = await res
                        else:
                            res = await invoke_handler(handler, req, **args)
                res = self.make_response(res)
                for app in chain:
                    hooks = app.after_request_handlers
                    if hooks and res is not Response.already_handled:
                        res.complete()
                    for handler in hooks:
                        res = self.make_response(
                            await invoke_handler(handler, req, res) or res)
            except Exception as exc:
                res = await self.handle_exception(req, exc, chain)
            if stacked:
                return res  # back out through the middleware
        if req._after:
            for handler in req._after:
                try:
                    res = self.make_response(
                        await invoke_handler(handler, req, res) or res)
                except Exception as exc:
                    res = await self.handle_exception(req, exc, (self,))
        vary = req._vary
        if vary and res is not Response.already_handled:
            global merge_vary
            if merge_vary is None:
                # loaded once (an import statement per request would cost
                # an allocation and microseconds)
                from .composition import merge_vary
            merge_vary(res, vary)
        if req.method == 'HEAD' and res is not Response.already_handled:
            res.is_head = True
        return res

    async def handle_exception(self, req, exc, chain):
        """Turn an exception raised while serving ``req`` into a response,
        through the most specific error handler, then run the
        after-error-request hooks."""
        from .errors import handle_exception
        return await handle_exception(self, req, exc, chain)

    @staticmethod
    def make_response(ret):
        """Normalise a handler's return value into a :class:`Response`.

        Accepts a Response, a body, ``(body, status)``, ``(body, headers)``,
        ``(body, status, headers)`` or a bare status code.
        """
        if isinstance(ret, Response):
            return ret
        status = 200
        headers = None
        if isinstance(ret, tuple):
            body = ret[0]
            for item in ret[1:]:
                if isinstance(item, int):
                    status = item
                elif isinstance(item, dict):
                    headers = item
        else:
            body = ret
        if isinstance(body, int) and not isinstance(body, bool):
            status = body
            body = ''
        return Response(body, status, headers)

    # -- serving ----------------------------------------------------------

    async def start_server(self, host='0.0.0.0', port=5000, debug=False,
                           ssl=None, start_serving=True):
        """Serve until :meth:`shutdown` is called (a coroutine).

        ``ssl`` is an ``SSLContext`` for HTTPS. Connections stay open
        between requests (HTTP/1.1 keep-alive) for up to ``idle_timeout``
        seconds. With ``start_serving=False`` (CPython only) the socket is
        bound and the asyncio server returned at once, not accepting yet:
        a program can drop privileges, then ``await
        server.start_serving()`` or ``serve_forever()``.
        """
        # what setting the app up left behind goes first, so the server's
        # code fills its holes rather than the heap's free end (51 -> 48
        # KB of smallest heap from .mpy); imported here, once, so that the
        # package holds no name for it
        import gc
        gc.collect()
        from .server import Server
        server = Server(self, debug)
        if not start_serving:
            return await server.bind(host, port, ssl, False)
        await server.serve(host, port, ssl)

    def run(self, host='0.0.0.0', port=5000, debug=False, ssl=None):
        """Start the server and block until it is shut down or Ctrl-C."""
        try:
            asyncio.run(self.start_server(host=host, port=port, debug=debug,
                                          ssl=ssl))
        except KeyboardInterrupt:
            pass
        finally:
            if MICROPYTHON:
                asyncio.new_event_loop()  # drop stale tasks for the REPL


Response.already_handled = Response()
if not MICROPYTHON:
    from .app_extras import AppExtras  # noqa: E402
    add_methods(Microdot, AppExtras)
merge_vary = None  # composition.merge_vary, once a request used vary

# the names upstream's ``microdot.microdot`` module offers
from .request import Request  # noqa: E402
from .structures import NoCaseDict  # noqa: E402
redirect = Response.redirect
send_file = Response.send_file


def __getattr__(name):
    if name in ('MultiDict', 'urlencode', 'urldecode_str', 'urldecode_bytes'):
        from . import urls
        return getattr(urls, name)
    raise AttributeError(name)
