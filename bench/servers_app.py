"""The hello-world JSON app of bench_servers.py, for every framework side.

    BENCH_SIDE=ours|upstream|starlette|flask  (ASGI or WSGI callables below)

The Microdot sides run the same application code, written against the
documented API; whichever ``microdot`` the server process has first on
sys.path (PYTHONPATH) is the one imported. Upstream is only ever imported
here, as a black box, never read.
"""
import os

SIDE = os.environ.get('BENCH_SIDE', 'ours')


def _microdot(kind):
    if kind == 'asgi':
        from microdot.asgi import Microdot
    else:
        from microdot.wsgi import Microdot
    app = Microdot()

    @app.route('/')
    async def index(request):
        return {'hello': 'world'}
    return app


def _starlette():
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def index(request):
        return JSONResponse({'hello': 'world'})
    return Starlette(routes=[Route('/', index)])


def _flask():
    from flask import Flask
    app = Flask(__name__)

    @app.route('/')
    def index():
        return {'hello': 'world'}
    return app


if SIDE == 'starlette':
    asgi = _starlette()
elif SIDE == 'flask':
    wsgi = _flask()
else:
    asgi = _microdot('asgi')
    wsgi = _microdot('wsgi')
