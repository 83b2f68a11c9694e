"""Serve an application with a WSGI server (gunicorn, uWSGI, wsgiref...).

    from microdot.wsgi import Microdot

    app = Microdot()

    @app.route('/')
    async def index(request):
        return 'Hello, World!'

and run it with ``gunicorn app:app``. Each request runs on an asyncio
event loop of the server thread that took it (one loop per thread, kept
between requests), through ``app.dispatch_request()`` and the core's one
response path; a streamed body is handed to the server piece by piece as
the response iterable, which the server closes (stopping the generator)
when the client goes away. ``request.environ`` holds the WSGI environ.

WebSocket: a WSGI server has no protocol for it, but gunicorn's ``sync``
and ``gthread`` workers put the client's socket in the environ
(``gunicorn.socket``); there the websocket extension speaks its frames on
``request.sock`` as on the framework's own server, and the connection
holds that worker (sync) or thread (gthread) until it closes. Under other
WSGI servers ``request.sock`` is None and WebSocket routes answer 400.

CPython only.
"""
import asyncio
import threading

from .connection import Connection
from . import microdot as _core
from .response import Response, reason_phrase
from .request import Request
from .structures import NoCaseDict
from . import HTTPException

# hop-by-hop headers: a WSGI application must not send them (PEP 3333)
_HOP = ('connection', 'keep-alive', 'proxy-authenticate',
        'proxy-authorization', 'te', 'trailers', 'transfer-encoding',
        'upgrade')
_SAFE = "/!$&'()*+,;=:@~%"


class _Input:
    """``request.stream`` over ``wsgi.input`` for a body larger than
    ``Request.max_body_length`` (read in the server thread as asked)."""

    def __init__(self, wsgi_input, data, remaining, limit):
        self.input = wsgi_input
        self.data = data          # bytes read ahead, not handed out yet
        self.remaining = remaining  # bytes on the wire (-1: until EOF)
        self.total = len(data)
        self.limit = limit

    def _pull(self, n):
        if self.remaining == 0:
            return b''
        if self.remaining > 0:
            n = min(n, self.remaining)
        data = self.input.read(n)
        if not data:
            if self.remaining > 0:
                self.remaining = 0
                raise EOFError('client disconnected mid-body')
            self.remaining = 0
            return b''
        if self.remaining > 0:
            self.remaining -= len(data)
        self.total += len(data)
        if self.total > self.limit:
            self.remaining = 0
            raise HTTPException(413, 'Payload Too Large')
        return data

    async def read(self, n=-1):
        """Up to ``n`` bytes (all that is left when ``n`` < 0); b'' at the
        end."""
        if self.data:
            out = self.data if n < 0 else self.data[:n]
            self.data = self.data[len(out):]
            return out
        if n < 0:
            out = []
            while True:
                piece = self._pull(64 * 1024)
                if not piece:
                    return b''.join(out)
                out.append(piece)
        return self._pull(n) if n else b''

    # read() until n bytes; EOFError if the body ends first
    readexactly = Connection.readexactly

    async def readline(self):
        """One line of the body, line end included (b'' at its end)."""
        out = b''
        while True:
            if not self.data:
                self.data = self._pull(1024)
                if not self.data:
                    return out
            i = self.data.find(b'\n')
            if i >= 0:
                out += self.data[:i + 1]
                self.data = self.data[i + 1:]
                return out
            out += self.data
            self.data = b''


def _headers(environ):
    headers = NoCaseDict()
    for key, value in environ.items():
        if key.startswith('HTTP_'):
            name = key[5:].replace('_', '-').lower()
        elif key == 'CONTENT_TYPE' or key == 'CONTENT_LENGTH':
            if not value:
                continue
            name = key.replace('_', '-').lower()
        else:
            continue
        headers.add(name, value, name)
    return headers


def _url(environ):
    from urllib.parse import quote
    # PEP 3333 strings carry the URL's bytes as latin-1; keep what was
    # percent-encoded encoded (the request decodes it once)
    path = environ.get('SCRIPT_NAME', '') + environ.get('PATH_INFO', '')
    url = quote(path.encode('latin-1'), safe=_SAFE) or '/'
    qs = environ.get('QUERY_STRING')
    if qs:
        url += '?' + qs
    return url


def _read(wsgi_input, n):
    pieces = []
    while n > 0:
        data = wsgi_input.read(n)
        if not data:
            raise HTTPException(400, 'Incomplete body')
        pieces.append(data)
        n -= len(data)
    return b''.join(pieces)


def _body(environ):
    """``(body, stream)`` as the core gives them."""
    wsgi_input = environ.get('wsgi.input')
    length = environ.get('CONTENT_LENGTH')
    limit = Request.max_body_length
    if length:
        if not length.isdigit() or not length.isascii():
            raise HTTPException(400, 'Invalid Content-Length')
        n = int(length)
        if n > Request.max_content_length:
            raise HTTPException(413, 'Payload Too Large')
        if n <= limit:
            return (_read(wsgi_input, n) if n else b''), None
        return b'', _Input(wsgi_input, b'', n, Request.max_content_length)
    if wsgi_input is not None and environ.get('wsgi.input_terminated') and \
            environ.get('HTTP_TRANSFER_ENCODING'):
        # a chunked body the server decodes: read it up to the limit
        data = wsgi_input.read(limit + 1)
        if len(data) <= limit:
            more = wsgi_input.read(1) if data else b''
            if not more:
                return data, None
            data += more
        stream = _Input(wsgi_input, data, -1, Request.max_content_length)
        if len(data) > Request.max_content_length:
            raise HTTPException(413, 'Payload Too Large')
        return b'', stream
    return b'', None


class _Iterable:
    """The WSGI response iterable of a streamed body: each piece is made on
    the loop of the thread that serves the request; ``close()`` (called by
    the server when it is done, or when the client went away) stops the
    body's generator or closes its file."""

    def __init__(self, loop, it):
        self.loop = loop
        self.it = it
        self.done = False

    def __iter__(self):
        return self

    def __next__(self):
        while not self.done:
            try:
                piece = self.loop.run_until_complete(_next_piece(self.it))
            except StopAsyncIteration:
                self.close()
                break
            except BaseException:
                self.close()
                raise
            if isinstance(piece, str):
                piece = piece.encode()
            if piece:
                return piece
        raise StopIteration

    def close(self):
        if not self.done:
            self.done = True
            self.loop.run_until_complete(self.it.aclose())


async def _next_piece(it):
    # __anext__() itself runs on the loop: a body that is its own iterator
    # (an SSE stream) starts its tasks in it
    return await it.__anext__()


class _Socket:
    """``request.sock`` under gunicorn: asyncio streams over a copy of the
    client's socket, on the serving thread's loop."""

    @staticmethod
    async def open(raw):
        sock = raw.dup()
        # the copy shares the blocking mode with the server's socket:
        # restored when ours closes, for the server to write a refusal
        timeout = raw.gettimeout()
        reader, writer = await asyncio.open_connection(sock=sock)

        async def awrite(data):
            writer.write(data)
            await writer.drain()

        async def aclose():
            writer.close()
            try:
                await writer.wait_closed()
            except Exception:
                pass
            try:
                raw.settimeout(timeout)
            except OSError:
                pass
        writer.awrite = awrite
        writer.aclose = aclose
        return reader, writer


class Microdot(_core.Microdot):
    """An application that is also a WSGI callable (PEP 3333).

    Arguments go to the core :class:`microdot.Microdot`.
    """

    _local = threading.local()

    def __call__(self, environ, start_response):
        local = Microdot._local
        loop = getattr(local, 'loop', None)
        if loop is None or loop.is_closed():
            loop = local.loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)  # this thread's, for the app too
        status, headers, body = loop.run_until_complete(
            self._wsgi(environ, loop))
        if status is None:  # a WebSocket: the connection was taken over
            return self._taken_over(start_response)
        start_response(status, headers)
        return body

    async def _wsgi(self, environ, loop):
        headers = _headers(environ)
        failed = None
        try:
            body, stream = _body(environ)
        except HTTPException as exc:
            body, stream, failed = b'', None, exc
        try:
            proto = environ.get('SERVER_PROTOCOL', 'HTTP/1.1')
            addr = environ.get('REMOTE_ADDR')
            port = environ.get('REMOTE_PORT')
            req = Request(
                self, (addr, int(port) if port and port.isdigit() else 0)
                if addr else None, environ.get('REQUEST_METHOD', 'GET'),
                _url(environ), proto[5:] if proto.startswith('HTTP/')
                else '1.1', headers, body=body, stream=stream,
                scheme=environ.get('wsgi.url_scheme', 'http'))
        except HTTPException as exc:  # a malformed URL: no request to offer
            return _status(exc.status_code, None), \
                [('Content-Type', 'text/plain')], \
                [(exc.reason or 'Bad Request').encode()]
        req.environ = environ
        raw = environ.get('gunicorn.socket')
        if raw is not None and failed is None and \
                environ.get('HTTP_UPGRADE', '').lower() == 'websocket':
            req.sock = await _Socket.open(raw)
        if failed is None:
            res = await self.dispatch_request(req)
        else:
            res = await self.handle_exception(req, failed, (self,))
            if req.method == 'HEAD':
                res.is_head = True
        if res is Response.already_handled:
            if req.sock is not None:
                await req.sock[1].aclose()  # our copy of the socket
            return None, None, None
        if req.sock is not None:
            # an upgrade request answered over HTTP (a 4xx): drop our copy
            await req.sock[1].aclose()
        res.complete()
        items = []
        # no length on a reply that can not have a body (RFC 9110 8.6)
        bodiless = res.status_code < 200 or res.status_code == 204
        for name, value in res.headers.items():
            lname = name.lower()
            if lname in _HOP or (bodiless and lname == 'content-length'):
                continue
            for item in value if isinstance(value, list) else (value,):
                if not isinstance(item, str):
                    item = str(item)
                if '\n' in item or '\r' in item:
                    item = item.replace('\r', ' ').replace('\n', ' ')
                items.append((name, item))
        status = _status(res.status_code, res.reason)
        if isinstance(res.body, bytes):
            return status, items, [b''] if res.is_head else [res.body]
        it = res.body_iter()
        if res.is_head:
            await it.aclose()
            return status, items, []
        return status, items, _Iterable(loop, it)

    @staticmethod
    def _taken_over(start_response):
        # The websocket extension wrote its own 101 reply on the socket and
        # has closed it. Tell gunicorn its response is sent and that the
        # connection must not be reused, so it writes nothing more.
        resp = getattr(start_response, '__self__', None)
        if resp is not None and hasattr(resp, 'headers_sent'):
            start_response('101 Switching Protocols', [])
            resp.headers_sent = True
            resp.must_close = True
        return []

    def run(self, host='0.0.0.0', port=5000, debug=False, ssl=None,
            **kwargs):
        """Serve the app with the standard library's ``wsgiref`` server (a
        thread per request) until Ctrl-C: to try an app; deploy it with
        gunicorn or another production WSGI server."""
        from socketserver import ThreadingMixIn
        from wsgiref.simple_server import make_server, WSGIServer, \
            WSGIRequestHandler

        class Server(ThreadingMixIn, WSGIServer):
            daemon_threads = True

        class Handler(WSGIRequestHandler):
            def log_request(self, *args):
                if debug:
                    super().log_request(*args)

        if ssl is not None:
            raise ValueError('wsgiref has no TLS: use gunicorn --certfile')
        self.debug = debug
        httpd = make_server(host, port, self, server_class=Server,
                            handler_class=Handler)
        self._httpd = httpd
        if debug:
            print('Starting WSGI server on %s:%d...' % (host, port))
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            httpd.server_close()
            self._httpd = None

    def shutdown(self):
        """Stop the server :meth:`run` started (from another thread)."""
        httpd = self.__dict__.get('_httpd')
        if httpd is not None:
            httpd.shutdown()
        else:
            super().shutdown()


def _status(code, reason):
    return '%d %s' % (code, reason or reason_phrase(code))


def wsgi_app(app):
    """Make ``app``, built with the core :class:`microdot.Microdot`, a WSGI
    application in place and return it::

        # wsgi.py, next to app.py: gunicorn wsgi:app
        from microdot.wsgi import wsgi_app
        from app import app
        app = wsgi_app(app)
    """
    from .asgi import _adopt
    return _adopt(app, Microdot)
