"""The methods of :class:`~microdot.Microdot` that few apps call.

``put()``, ``patch()``, ``delete()``, ``query()``, ``after_error_request()``,
``add_middleware()``, ``mount()``, ``url_for()``, ``find_route()``,
``handle_request()``, ``shutdown()`` and the default ``options_handler``
(the automatic OPTIONS reply) are methods of the app like any other. A MicroPython
module keeps every function it defines in RAM, called or not, so they are
defined here: on MicroPython the app's ``__getattr__`` imports this module
and adds them to the class the first time one is used (an app that never
calls them holds 600 bytes less heap on a board); on CPython they are added
when :mod:`microdot.microdot` is imported.
"""
from .routing import lookup


class AppExtras:
    """The methods above, copied into :class:`~microdot.Microdot`."""

    def default_options_handler(self, req):
        """The automatic reply to OPTIONS: the headers ``{'Allow': ...}``
        naming the methods routes accept for the URL."""
        allowed = lookup(self.url_map, 'OPTIONS', req.path)[1]
        if allowed is None:
            allowed = ['OPTIONS']
        return {'Allow': ', '.join(allowed)}

    #: The handler of OPTIONS requests no route takes: the default one
    #: until an extension (CORS) or the app assigns another.
    options_handler = default_options_handler

    def shutdown(self):
        """Stop accepting connections; the server ends once the requests in
        progress complete. Safe to call from another thread on CPython."""
        if self.server is not None:
            self.server.shutdown()

    def put(self, url_pattern, **kwargs):
        """Shortcut for ``route(url_pattern, methods=['PUT'])``."""
        return self.route(url_pattern, ('PUT',), **kwargs)

    def patch(self, url_pattern, **kwargs):
        """Shortcut for ``route(url_pattern, methods=['PATCH'])``."""
        return self.route(url_pattern, ('PATCH',), **kwargs)

    def delete(self, url_pattern, **kwargs):
        """Shortcut for ``route(url_pattern, methods=['DELETE'])``."""
        return self.route(url_pattern, ('DELETE',), **kwargs)

    def query(self, url_pattern, **kwargs):
        """Shortcut for ``route(url_pattern, methods=['QUERY'])`` (the
        HTTP QUERY method: a safe request with a body)."""
        return self.route(url_pattern, ('QUERY',), **kwargs)

    def after_error_request(self, f):
        """Decorator: run ``f(request, response)`` after each request that
        ended in an error; a returned response replaces the original."""
        self.after_error_request_handlers.append(f)
        return f

    def add_middleware(self, cls, **options):
        """Wrap every request of the app in ``cls(next_handler,
        **options)``, inside the middleware added before it.

        A middleware is a class whose instances are called with the
        request and return the response, usually by awaiting
        ``next_handler(request)``. It runs after routing (``request.route``
        is set) and wraps the before-request hooks, the handler and the
        after-request hooks; it sees error responses too.
        """
        self.middleware.append((cls, options) if options else cls)
        self._app_stack = None
        for route in self.url_map:
            route.stack = None

    def mount(self, subapp, url_prefix='', local=False, middleware=None,
              name=None):
        """Add the routes of ``subapp`` under ``url_prefix``.

        Unless ``local`` is True, the sub-application's hooks and error
        handlers are copied into this application and apply to all of it;
        with ``local=True`` they apply to the sub-application's routes only.
        ``middleware`` wraps the sub-application's routes (inside this
        app's middleware, outside its own). Its endpoints are known to
        :meth:`url_for` as ``name.endpoint``; ``name`` defaults to the
        prefix without slashes (``'/api'``: ``'api.get_user'``).
        """
        from .composition import mount
        mount(self, subapp, url_prefix, local, middleware, name)

    def url_for(self, endpoint, **values):
        """The URL of the route named ``endpoint`` with ``values`` for its
        dynamic parts; values it has no part for become the query string.
        ``_external=True`` needs a request: use ``request.url_for``."""
        from .urlfor import url_for
        return url_for(self, endpoint, values, None)

    def find_route(self, req):
        """Return ``(route, url_args)`` for ``req``: the matching
        :class:`~microdot.routing.Route`, or None and the methods allowed
        for the URL (None when no route has it)."""
        return lookup(self.url_map, req.method, req.path)

    async def handle_request(self, reader, writer):
        """Serve one client connection (every request it sends)."""
        from .server import serve_connection
        await serve_connection(self, reader, writer)
