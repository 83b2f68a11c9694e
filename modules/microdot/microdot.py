"""The application: routes, hooks, error handlers, dispatch and mounting."""
import asyncio

from .helpers import MICROPYTHON, invoke_handler
if MICROPYTHON:
    from .helpers import FUNCTION, GENERATOR
from .request import HTTPException, abort
from .response import Response
from .routing import URLPattern
from . import server


class Microdot:
    """A web application.

    Register routes with :meth:`route` (or :meth:`get`, :meth:`post`, ...),
    hooks with :meth:`before_request` / :meth:`after_request` /
    :meth:`after_error_request`, error handlers with :meth:`errorhandler`,
    then serve with :meth:`run` or ``await`` :meth:`start_server`.
    """

    def __init__(self):
        # (methods, URLPattern, handler, url_prefix, subapp, hook chain)
        self.url_map = []
        self.before_request_handlers = []
        self.after_request_handlers = []
        self.after_error_request_handlers = []
        self.error_handlers = {}
        self.debug = False
        #: Seconds a kept-alive connection may wait for its next request.
        self.idle_timeout = 30
        #: Seconds a started request has to arrive, and each write to finish.
        self.request_timeout = 10
        self.server = None
        self._connections = None
        self._shutting_down = False
        self.scheme = 'http'

    # -- registration -----------------------------------------------------

    def route(self, url_pattern, methods=None):
        """Decorator: call the function for requests to ``url_pattern``.

        ``methods`` lists the HTTP methods (default ``['GET']``). Dynamic
        segments of the URL (``<int:id>``) are passed as keyword arguments.
        """
        def decorated(f):
            self.url_map.append(
                (methods or ['GET'], URLPattern(url_pattern), f, '', None,
                 (self,)))
            return f
        return decorated

    def get(self, url_pattern):
        """Shortcut for ``route(url_pattern, methods=['GET'])``."""
        return self.route(url_pattern, methods=['GET'])

    def post(self, url_pattern):
        """Shortcut for ``route(url_pattern, methods=['POST'])``."""
        return self.route(url_pattern, methods=['POST'])

    def put(self, url_pattern):
        """Shortcut for ``route(url_pattern, methods=['PUT'])``."""
        return self.route(url_pattern, methods=['PUT'])

    def patch(self, url_pattern):
        """Shortcut for ``route(url_pattern, methods=['PATCH'])``."""
        return self.route(url_pattern, methods=['PATCH'])

    def delete(self, url_pattern):
        """Shortcut for ``route(url_pattern, methods=['DELETE'])``."""
        return self.route(url_pattern, methods=['DELETE'])

    def before_request(self, f):
        """Decorator: run ``f(request)`` before each request's handler.

        If it returns a value, that value is the response and the route
        handler is not called.
        """
        self.before_request_handlers.append(f)
        return f

    def after_request(self, f):
        """Decorator: run ``f(request, response)`` after each successful
        request; a returned response replaces the original."""
        self.after_request_handlers.append(f)
        return f

    def after_error_request(self, f):
        """Decorator: run ``f(request, response)`` after each request that
        ended in an error; a returned response replaces the original."""
        self.after_error_request_handlers.append(f)
        return f

    def errorhandler(self, status_code_or_exception_class):
        """Decorator: handle an HTTP status code (``f(request)``) or an
        exception class and its subclasses (``f(request, exception)``)."""
        def decorated(f):
            self.error_handlers[status_code_or_exception_class] = f
            return f
        return decorated

    def mount(self, subapp, url_prefix='', local=False):
        """Add the routes of ``subapp`` under ``url_prefix``.

        Unless ``local`` is True, the sub-application's hooks and error
        handlers are copied into this application and apply to all of it;
        with ``local=True`` they apply to the sub-application's routes only.
        """
        for methods, pattern, f, prefix, sub, chain in subapp.url_map:
            self.url_map.append((
                methods, URLPattern(url_prefix + pattern.url_pattern), f,
                url_prefix + prefix, sub or subapp,
                (self,) + (chain if local else chain[1:])))
        if not local:
            self.before_request_handlers += subapp.before_request_handlers
            self.after_request_handlers += subapp.after_request_handlers
            self.after_error_request_handlers += \
                subapp.after_error_request_handlers
            self.error_handlers.update(subapp.error_handlers)

    abort = staticmethod(abort)

    # -- dispatch ---------------------------------------------------------

    def find_route(self, req):
        """Return ``(route, url_args)`` for ``req``.

        Raises HTTPException 404 when no route has the URL, 405 (with the
        allowed methods) when routes have it for other methods. OPTIONS is
        answered automatically.
        """
        method = req.method
        path = req.path
        head = method == 'HEAD'
        for route in self.url_map:
            if method in route[0] or (head and 'GET' in route[0]):
                args = route[1].match(path)
                if args is not None:
                    return route, args
        allowed = []
        for route in self.url_map:
            # "OPTIONS *" asks about the server: every method it serves
            if (path == '*' and method == 'OPTIONS') or \
                    route[1].match(path) is not None:
                for m in route[0]:
                    if m not in allowed:
                        allowed.append(m)
        if not allowed:
            raise HTTPException(404, 'Not Found')
        if 'GET' in allowed:
            allowed.append('HEAD')
        allowed.append('OPTIONS')
        exc = HTTPException(405, 'Method Not Allowed')
        exc.allow = ', '.join(allowed)
        if req.method == 'OPTIONS':
            exc.status_code = 200
        raise exc

    async def dispatch_request(self, req):
        """Run hooks, the matching handler and error handling for ``req``
        and return the :class:`Response`."""
        chain = (self,)
        try:
            route, args = self.find_route(req)
            chain = route[5]
            req.route = route[2]
            if route[4] is not None:
                req.url_prefix = route[3]
                req.subapp = route[4]
            res = None
            for app in chain:
                for handler in app.before_request_handlers:
                    res = await invoke_handler(handler, req)
                    if res is not None:
                        break
                if res is not None:
                    break
            if res is None:
                handler = route[2]
                if MICROPYTHON:
                    # invoke_handler() inlined: one coroutine less per request
                    res = handler(req, **args) if args else handler(req)
                    if type(res) is GENERATOR and type(handler) is not FUNCTION:
                        res = await res
                else:
                    res = await invoke_handler(handler, req, **args)
            res = self.make_response(res)
            for app in chain:
                for handler in app.after_request_handlers:
                    res = self.make_response(
                        await invoke_handler(handler, req, res) or res)
        except Exception as exc:
            res = await self.handle_exception(req, exc, chain)
        if req._after:
            for handler in req._after:
                try:
                    res = self.make_response(
                        await invoke_handler(handler, req, res) or res)
                except Exception as exc:
                    res = await self.handle_exception(req, exc, chain)
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

    async def handle_request(self, reader, writer):
        """Serve one client connection (every request it sends)."""
        await server.serve_connection(self, reader, writer)

    async def start_server(self, host='0.0.0.0', port=5000, debug=False,
                           ssl=None):
        """Serve until :meth:`shutdown` is called (a coroutine).

        ``ssl`` is an ``SSLContext`` for HTTPS. Connections stay open
        between requests (HTTP/1.1 keep-alive) for up to ``idle_timeout``
        seconds.
        """
        await server.serve(self, host, port, debug, ssl)

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

    def shutdown(self):
        """Stop accepting connections; the server ends once the requests in
        progress complete."""
        server.shutdown(self)


Response.already_handled = Response()
