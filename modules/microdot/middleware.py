"""The base class of middleware, and the few helpers middleware share.

A middleware is a small class with one job. The application builds one
instance per place it is declared, giving it the next handler in the chain
and the options it was declared with::

    instance = MyMiddleware(next_handler, **options)
    response = await instance(request)

``next_handler`` is ``async def next_handler(request) -> Response``: the
next middleware, or the request's before-request hooks, route handler and
after-request hooks. Error responses come back through it too (a 404, a
401 from an auth decorator, a 500), so a middleware sees every response.

Writing one::

    from microdot.middleware import Middleware

    class RequestId(Middleware):
        '''Give every response an ``X-Request-Id`` header.'''

        def __init__(self, next_handler, header='X-Request-Id'):
            super().__init__(next_handler)
            self.header = header        # options: read once, here
            self.count = 0

        async def __call__(self, request):
            self.count += 1
            request.g.request_id = self.count       # before the handler
            res = await self.next_handler(request)  # the rest of the chain
            res.headers[self.header] = str(self.count)  # after it
            return res

    app = Microdot(middleware=[(RequestId, {'header': 'X-Id'})])
    # or app.add_middleware(RequestId, header='X-Id')
    # or app.mount(api, '/api', middleware=[RequestId])
    # or @app.get('/x', middleware=[RequestId])

Rules of thumb:

- Work out what you can from the options in ``__init__``: it runs once,
  ``__call__`` runs on every request (and on a board every allocation
  counts).
- To answer without calling the rest of the chain, return a
  :class:`~microdot.Response` (or raise :class:`~microdot.HTTPException`
  with :func:`~microdot.abort`: the app's error handlers then shape it).
- An exception a middleware raises goes to the application's error
  handlers, like one raised by a route.
- Only use the request and the response: the same class then works on
  the kit's server, under ASGI and under WSGI.
- ``request.route`` is already known (middleware runs after routing).
"""


class Middleware:
    """Base class of a middleware: keeps ``next_handler`` and passes every
    request through unchanged. Subclasses take their options as keyword
    arguments of ``__init__`` and override ``__call__``."""

    def __init__(self, next_handler, **options):
        if options:
            raise TypeError('%s takes no option %s' % (
                type(self).__name__, ', '.join(sorted(options))))
        self.next_handler = next_handler

    async def __call__(self, request):
        return await self.next_handler(request)


def request_host(request):
    """The host name of the request's ``Host`` header, lower case, without
    the port (``[::1]`` keeps its brackets); '' when there is none."""
    host = request.headers.get('Host') or ''
    if host.startswith('['):
        end = host.find(']')
        return host[:end + 1].lower() if end > 0 else ''
    return host.partition(':')[0].lower()


def add_vary(response, name):
    """Say that ``response`` depends on the request header ``name`` (added
    to its ``Vary`` header once)."""
    headers = response.headers
    current = headers.get('Vary')
    if not current:
        headers['Vary'] = name
    elif current != '*' and name.lower() not in \
            [v.strip().lower() for v in current.split(',')]:
        headers['Vary'] = current + ', ' + name
