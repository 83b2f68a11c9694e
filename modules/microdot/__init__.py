"""Microdot-compatible web framework for MicroPython and CPython.

    from microdot import Microdot

    app = Microdot()

    @app.route('/')
    async def index(request):
        return 'Hello, world!'

    app.run()
"""
from .microdot import Microdot
from .exceptions import HTTPException, abort
from .request import Request
from .response import Response
from .routing import URLPattern
from .structures import NoCaseDict
from .helpers import invoke_handler

# Compiled to .mpy (tools/mpy_compile.py), this package and the modules
# below, which it imports, become one module: ~2 KB less heap on a board
# than eight (see tools/mpy_bundle.py). Keep the list in import order.
# mpy-bundle: exceptions helpers structures routing response request
# mpy-bundle: microdot

redirect = Response.redirect
send_file = Response.send_file


def __getattr__(name):
    # MultiDict and the URL functions are loaded on first use (a
    # hello-world app never needs them on a board), as microdot.microdot's
    if name in ('MultiDict', 'urlencode', 'urldecode_str', 'urldecode_bytes'):
        from . import urls
        return getattr(urls, name)
    if not name.startswith('__'):
        # MicroPython asks the package first for `from . import module`
        # and does not fall back to importing it: import it here
        try:
            return __import__('microdot.' + name, None, None, [name])
        except ImportError:
            pass
    raise AttributeError(name)


__version__ = '2.7.0+kit.0.2'
__all__ = ['Microdot', 'Request', 'Response', 'URLPattern', 'HTTPException',
           'abort', 'redirect', 'send_file', 'MultiDict', 'NoCaseDict',
           'urlencode', 'urldecode_str', 'urldecode_bytes', 'invoke_handler']
