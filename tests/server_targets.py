"""Every example app in one server process, for test_servers_live.py.

``/<example>/...`` goes to ``examples/<example>/app.py`` with the prefix
taken off (the app sees the paths it sees on its own server), and
``/_t/...`` to a small test app. Targets:

- ``server_targets:asgi`` for uvicorn and hypercorn,
- ``server_targets:wsgi`` for gunicorn,
- ``python server_targets.py own PORT``: the framework's own server, each
  app on its own port from PORT on (in the order of ``names()``).

CPython only.
"""
import asyncio
import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
EXAMPLES = os.path.join(ROOT, 'examples')
sys.path.insert(0, os.path.join(ROOT, 'modules'))

from microdot import Microdot, Request, Response  # noqa: E402

# uploads of a few hundred KB in the tests: the same limit on every server
Request.max_content_length = 1024 * 1024


def test_app():
    app = Microdot()

    @app.route('/echo', methods=['GET', 'POST'])
    async def echo(request):
        return {'method': request.method, 'scheme': request.scheme,
                'client': request.client_addr[0] if request.client_addr
                else None, 'args': request.args.get('q'),
                'header': request.headers.get('X-Test'),
                'body': len(request.body),
                'streamed': request.body == b'' and
                request.content_length > 0}

    @app.post('/upload')
    async def upload(request):
        size = 0
        while True:
            data = await request.stream.read(8192)
            if not data:
                break
            size += len(data)
        return {'received': size}

    @app.route('/slow/<int:n>')
    async def slow(request, n):
        class Pieces:
            i = 0

            def __aiter__(self):
                return self

            async def __anext__(self):
                if self.i >= n:
                    raise StopAsyncIteration
                self.i += 1
                await asyncio.sleep(0.05)
                return 'piece %d\n' % self.i
        return Pieces()

    @app.route('/limit')
    async def limit(request):
        # what the examples loaded with this app left it at
        return {'max_content_length': Request.max_content_length}

    @app.route('/nothing')
    async def nothing(request):
        return None  # 204

    @app.route('/file')
    async def file(request):
        return Response.send_file(__file__, content_type='text/x-python')

    ticks = {'started': 0, 'stopped': 0}

    @app.route('/ticks')
    async def tick_state(request):
        return ticks

    @app.route('/endless')
    async def endless(request):
        class Ticks:
            """An endless body; ``aclose()`` is how it learns the client
            went away."""

            def __init__(self):
                ticks['started'] += 1

            def __aiter__(self):
                return self

            async def __anext__(self):
                await asyncio.sleep(0.02)
                return b'tick\n' * 100

            async def aclose(self):
                ticks['stopped'] += 1
        return Ticks()

    try:
        from microdot.sse import with_sse
    except ImportError:
        with_sse = None
    if with_sse is not None:
        @app.route('/sse')
        @with_sse
        async def sse(request, events):
            for i in range(3):
                await events.send({'n': i}, event='count')

    try:
        from microdot.websocket import with_websocket
    except ImportError:
        return app

    from microdot.websocket import WebSocketError
    closed = {'code': None}

    @app.route('/ws/closed')
    async def ws_closed(request):
        return closed

    @app.route('/ws')
    @with_websocket
    async def ws(request, sock):
        while True:
            try:
                msg = await sock.receive()
            except WebSocketError as exc:
                closed['code'] = exc.code  # the client's close code
                raise
            if msg == 'close':
                await sock.close()
                return
            if msg == 'close4001':
                await sock.close(4001, 'as asked')
                return
            await sock.send(msg)
    return app


def names():
    found = []
    for name in sorted(os.listdir(EXAMPLES)):
        if os.path.exists(os.path.join(EXAMPLES, name, 'app.py')):
            found.append(name)
    return found


def load(name):
    """The ``app`` of examples/<name>/app.py (its folder on sys.path)."""
    folder = os.path.join(EXAMPLES, name)
    sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location('example_' + name,
                                                  folder + '/app.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.app


def apps():
    """{prefix: app} for every example that loads, and the test app."""
    out = {'_t': test_app()}
    for name in names():
        try:
            out[name] = load(name)
        except Exception as exc:  # reported by the tests as a failure
            print('example %s did not load: %r' % (name, exc),
                  file=sys.stderr)
    return out


def _split(path):
    parts = path.split('/', 2)
    return parts[1], '/' + (parts[2] if len(parts) > 2 else '')


LIFESPAN = {'startup': None}


async def _started(scope):
    LIFESPAN['startup'] = scope['type']


class _Asgi:
    def __init__(self):
        from microdot.asgi import asgi_app
        self.apps = {k: asgi_app(v) for k, v in apps().items()}
        test = self.apps['_t']
        test.lifespan_startup = _started

        @test.route('/lifespan')
        async def lifespan(request):
            return LIFESPAN

    async def __call__(self, scope, receive, send):
        if scope['type'] == 'lifespan':
            # the test app's hooks stand for all
            await self.apps['_t'](scope, receive, send)
            return
        prefix, path = _split(scope['path'])
        app = self.apps.get(prefix)
        if app is None:
            if scope['type'] == 'http':
                await send({'type': 'http.response.start', 'status': 404,
                            'headers': []})
                await send({'type': 'http.response.body', 'body': b''})
            return
        scope = dict(scope)
        scope['path'] = path
        raw = scope.get('raw_path')
        if raw:
            scope['raw_path'] = _split(raw.decode('latin-1'))[1].encode(
                'latin-1')
        await app(scope, receive, send)


class _Wsgi:
    def __init__(self):
        from microdot.wsgi import wsgi_app
        self.apps = {k: wsgi_app(v) for k, v in apps().items()}

    def __call__(self, environ, start_response):
        prefix, path = _split(environ.get('PATH_INFO', '/'))
        app = self.apps.get(prefix)
        if app is None:
            start_response('404 Not Found', [('Content-Length', '0')])
            return [b'']
        environ['PATH_INFO'] = path
        return app(environ, start_response)


class _LazyAsgi:
    """Built on first call: a process serves one kind only."""
    target = None

    async def __call__(self, scope, receive, send):
        if self.target is None:
            self.target = _Asgi()
        await self.target(scope, receive, send)


class _LazyWsgi:
    target = None

    def __call__(self, environ, start_response):
        if self.target is None:
            self.target = _Wsgi()
        return self.target(environ, start_response)


asgi = _LazyAsgi()


async def _no_database(scope):
    raise RuntimeError('no database here')


def failing():
    """An ASGI app whose startup hook fails (``uvicorn --factory``)."""
    from microdot.asgi import Microdot
    return Microdot(lifespan_startup=_no_database)
wsgi = _LazyWsgi()


def serve_own(port):
    served = apps()

    async def main():
        await asyncio.gather(*[
            served[name].start_server(host='127.0.0.1', port=port + i)
            for i, name in enumerate(['_t'] + names()) if name in served])
    asyncio.run(main())


if __name__ == '__main__':
    serve_own(int(sys.argv[2]))
