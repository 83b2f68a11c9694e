"""Serve an application with an ASGI 3 server (uvicorn, hypercorn, ...).

    from microdot.asgi import Microdot

    app = Microdot()

    @app.route('/')
    async def index(request):
        return 'Hello, World!'

and run it with ``uvicorn app:app``. Every route, hook, mount, middleware
and extension works as on the framework's own server: requests go through
``app.dispatch_request()`` and responses through the core's one response
path (``res.complete()``, ``res.headers``, ``res.body_iter()``). What
differs: ``request.asgi_scope`` holds the raw scope, ``request.sock`` is
None (there is no socket to take over) and WebSocket handlers talk through
the ASGI server (:meth:`Microdot.accept_websocket`).

CPython only.
"""
import asyncio

from .connection import Connection
from . import microdot as _core
from .helpers import invoke_handler
from .response import Response
from .request import Request
from .structures import NoCaseDict

# ``HTTPException`` is re-exported by the package whichever module defines it
from . import HTTPException


class _Body:
    """``request.stream`` for a body larger than ``Request.max_body_length``:
    the rest of it is read from ``receive()`` as the handler asks for it."""

    def __init__(self, receive, data, more, limit):
        self.receive = receive
        self.data = data
        self.pos = 0
        self.more = more
        self.total = len(data)
        self.limit = limit

    async def _fill(self):
        """Make sure unread bytes are buffered; False at the body's end."""
        while self.pos >= len(self.data):
            if not self.more:
                return False
            msg = await self.receive()
            if msg['type'] != 'http.request':  # http.disconnect
                self.more = False
                raise EOFError('client disconnected mid-body')
            self.more = msg.get('more_body', False)
            self.data = msg.get('body', b'')
            self.pos = 0
            self.total += len(self.data)
            if self.total > self.limit:
                self.more = False
                raise HTTPException(413, 'Payload Too Large')
        return True

    async def read(self, n=-1):
        """Up to ``n`` bytes of the body (all that is left when ``n`` < 0);
        b'' at its end."""
        if n < 0:
            out = []
            while await self._fill():
                out.append(self.data[self.pos:])
                self.pos = len(self.data)
            return b''.join(out)
        if n == 0 or not await self._fill():
            return b''
        out = self.data[self.pos:self.pos + n]
        self.pos += len(out)
        return out

    # read() until n bytes; EOFError if the body ends first
    readexactly = Connection.readexactly

    async def readline(self):
        """One line of the body, line end included (b'' at its end)."""
        out = b''
        while await self._fill():
            i = self.data.find(b'\n', self.pos)
            end = len(self.data) if i < 0 else i + 1
            out += self.data[self.pos:end]
            self.pos = end
            if i >= 0:
                break
        return out


def _headers(scope):
    """The scope's headers as a NoCaseDict (repeated ones combined)."""
    headers = NoCaseDict()
    store = dict.__setitem__
    for name, value in scope['headers']:
        # ASGI servers give lower-case names: stored as they are, a
        # NoCaseDict needs no key map for them
        name = name.decode('latin-1')
        value = value.decode('latin-1')
        if dict.__contains__(headers, name) or not name.islower():
            if name.lower() == 'cookie' and name in headers:
                # HTTP/2 servers split cookies into one header each
                headers[name] = headers[name] + '; ' + value
            else:
                headers.add(name, value)
        else:
            store(headers, name, value)
    return headers


def _url(scope):
    """The request target (percent-encoded path and query string)."""
    path = scope.get('raw_path')
    if path:
        path = path.decode('latin-1')
    else:
        from urllib.parse import quote
        path = quote(scope.get('path') or '/', safe="/!$&'()*+,;=:@~")
    qs = scope.get('query_string')
    if qs:
        path += '?' + qs.decode('latin-1')
    return path


_names = {}  # response header name -> its lower-case bytes
_types = {}  # Content-Type -> its bytes

try:
    from .response import _default_type
except ImportError:  # the core changed: always take the headers dict path
    _default_type = None


def _plain(res):
    """Whether ``res`` has no headers dict (nothing but a type and a
    length to send)."""
    return _default_type is not None and res._headers is None \
        and not getattr(res, '_connection', None)


def _ctype(res):
    ctype = res._ctype or _default_type(type(res))
    value = _types.get(ctype)
    if value is None:
        value = ctype.encode('latin-1')
        if len(_types) < 16:
            _types[ctype] = value
    return value


def _start_message(res):
    """The ``http.response.start`` message of a completed response."""
    items = []
    # no length on a reply that can not have a body (RFC 9110 8.6)
    bodiless = res.status_code < 200 or res.status_code == 204
    for name, value in res.headers.items():
        lname = _names.get(name)
        if lname is None:
            lname = name.lower().encode('latin-1')
            if len(_names) < 64:
                _names[name] = lname
        if bodiless and lname == b'content-length':
            continue
        if type(value) is list:
            for item in value:
                items.append((lname, _value(item)))
        else:
            items.append((lname, _value(value)))
    return {'type': 'http.response.start', 'status': res.status_code,
            'headers': items}


def _value(item):
    if type(item) is not str:
        item = str(item)
    if '\n' in item or '\r' in item:
        # a line break would let request data (a redirect target, a
        # cookie) inject headers
        item = item.replace('\r', ' ').replace('\n', ' ')
    return item.encode('latin-1', 'replace')


class Microdot(_core.Microdot):
    """An application that is also an ASGI 3 callable.

    ``lifespan_startup`` and ``lifespan_shutdown`` (sync or async functions
    called with the lifespan scope) run when the server starts and stops; an
    exception in one is reported to the server as ``startup.failed`` /
    ``shutdown.failed`` with its message. Other arguments go to the core
    :class:`microdot.Microdot`.
    """

    lifespan_startup = None
    lifespan_shutdown = None

    def __init__(self, lifespan_startup=None, lifespan_shutdown=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.lifespan_startup = lifespan_startup
        self.lifespan_shutdown = lifespan_shutdown

    async def __call__(self, scope, receive, send):
        kind = scope['type']
        if kind == 'http':
            await self._asgi_http(scope, receive, send)
        elif kind == 'websocket':
            await self._asgi_websocket(scope, receive, send)
        elif kind == 'lifespan':
            await self._asgi_lifespan(scope, receive, send)

    # -- lifespan ----------------------------------------------------------

    async def _asgi_lifespan(self, scope, receive, send):
        while True:
            msg = await receive()
            kind = msg['type']
            if kind == 'lifespan.startup':
                hook, step = self.lifespan_startup, 'lifespan.startup'
            elif kind == 'lifespan.shutdown':
                hook, step = self.lifespan_shutdown, 'lifespan.shutdown'
            else:
                continue
            try:
                if hook is not None:
                    await invoke_handler(hook, scope)
            except Exception as exc:
                await send({'type': step + '.failed',
                            'message': '%s: %s' % (type(exc).__name__, exc)})
                return
            await send({'type': step + '.complete'})
            if step == 'lifespan.shutdown':
                return

    # -- HTTP ----------------------------------------------------------------

    def _make_request(self, scope, headers, body=b'', stream=None):
        client = scope.get('client')
        req = Request(self, tuple(client) if client else None,
                      scope.get('method', 'GET'), _url(scope),
                      scope.get('http_version', '1.1'), headers, body=body,
                      stream=stream, scheme=scope.get('scheme') or 'http')
        req.asgi_scope = scope
        return req

    async def _read_body(self, scope, headers, receive):
        """``(body, stream)`` as the core gives them: the body in memory up
        to ``Request.max_body_length``, else a stream over ``receive()``.
        None when the client went away."""
        length = headers.get_lower('content-length')
        if length is None and \
                headers.get_lower('transfer-encoding') is None and \
                scope.get('http_version', '1.1')[0] == '1':
            return b'', None  # HTTP/1 without either header: no body
        if length is not None:
            if not length.isdigit() or not length.isascii():
                raise HTTPException(400, 'Invalid Content-Length')
            if int(length) > Request.max_content_length:
                raise HTTPException(413, 'Payload Too Large')
            if length == '0':
                return b'', None
        limit = Request.max_body_length
        pieces = []
        size = 0
        more = True
        while more and size <= limit:
            msg = await receive()
            if msg['type'] != 'http.request':
                return None
            data = msg.get('body', b'')
            more = msg.get('more_body', False)
            if data:
                pieces.append(data)
                size += len(data)
        body = b''.join(pieces)
        if size > Request.max_content_length:
            raise HTTPException(413, 'Payload Too Large')
        if not more and size <= limit:
            return body, None
        return b'', _Body(receive, body, more, Request.max_content_length)

    async def _asgi_http(self, scope, receive, send):
        headers = _headers(scope)
        failed = None
        try:
            got = await self._read_body(scope, headers, receive)
        except HTTPException as exc:
            got, failed = (b'', None), exc
        if got is None:
            return  # the client went away before its body arrived
        try:
            req = self._make_request(scope, headers, got[0], got[1])
        except HTTPException as exc:  # a malformed URL: no request to offer
            await send({'type': 'http.response.start',
                        'status': exc.status_code,
                        'headers': [(b'content-type', b'text/plain')]})
            await send({'type': 'http.response.body',
                        'body': (exc.reason or 'Bad Request').encode()})
            return
        if failed is None:
            res = await self.dispatch_request(req)
        else:
            res = await self.handle_exception(req, failed, (self,))
            if req.method == 'HEAD':
                res.is_head = True
        if res is Response.already_handled:
            return
        await self._send_response(req, res, receive, send)

    async def _send_response(self, req, res, receive, send):
        body = res.body
        status = res.status_code
        if type(body) is bytes and _plain(res) and status >= 200 and \
                status != 204 and status != 304:
            # no headers dict: the type and the length are all there is to
            # send (the invariant the core's own one-piece head relies on)
            await send({'type': 'http.response.start', 'status': status,
                        'headers': [(b'content-type', _ctype(res)),
                                    (b'content-length',
                                     b'%d' % len(body))]})
            await send({'type': 'http.response.body',
                        'body': b'' if res.is_head else body})
            return
        res.complete()
        await send(_start_message(res))
        if isinstance(body, bytes):
            # a body in memory is one piece of body_iter(): sent as it is
            await send({'type': 'http.response.body',
                        'body': b'' if res.is_head else body})
            return
        it = res.body_iter()
        if res.is_head:
            await it.aclose()
            await send({'type': 'http.response.body', 'body': b''})
            return
        stream = req._stream
        if stream is not None and getattr(stream, 'more', False):
            # receive() still belongs to the request body: no watcher
            await self._send_body(it, send)
            return
        # a client that goes away stops the body (an event stream may wait
        # for minutes between pieces: a failed send would come too late)
        sending = asyncio.ensure_future(self._send_body(it, send))
        watching = asyncio.ensure_future(_wait_disconnect(receive))
        try:
            await asyncio.wait((sending, watching),
                               return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (watching, sending):
                if not task.done():
                    task.cancel()
                    try:
                        await task
                    except (asyncio.CancelledError, Exception):
                        pass
        if sending.done() and not sending.cancelled():
            sending.result()

    @staticmethod
    async def _send_body(it, send):
        try:
            async for piece in it:
                if isinstance(piece, str):
                    piece = piece.encode()
                if piece:
                    await send({'type': 'http.response.body', 'body': piece,
                                'more_body': True})
            await send({'type': 'http.response.body', 'body': b''})
        except OSError:
            pass  # the server says the client is gone
        finally:
            await it.aclose()

    # -- WebSocket -----------------------------------------------------------

    async def _asgi_websocket(self, scope, receive, send):
        msg = await receive()
        if msg['type'] != 'websocket.connect':
            return
        headers = _headers(scope)
        conn = _WSConnection(scope, receive, send)
        try:
            req = self._make_request(scope, headers)
        except HTTPException:
            await send({'type': 'websocket.close', 'code': 1008})
            return
        req._asgi_ws = conn
        res = await self.dispatch_request(req)
        if conn.ws is None:
            if res is not Response.already_handled:
                await conn.refuse(req, res)  # a 4xx from a hook, a 404...
            return
        if not conn.ws.closed:
            # the handler ended without closing, or failed (1011)
            ok = res is Response.already_handled or res.status_code < 400
            try:
                await conn.ws.close(1000 if ok else 1011)
            except Exception:
                pass

    async def accept_websocket(self, request, subprotocols=None):
        """Accept the WebSocket connection of ``request`` through the ASGI
        server and return its :class:`WebSocket` (``receive()``,
        ``send()``, ``close()``, ``subprotocol``).

        ``subprotocols`` lists the ones the handler speaks (or names one);
        the first of them the client also offers is chosen.
        """
        conn = getattr(request, '_asgi_ws', None)
        if conn is None:
            # a plain HTTP request to a WebSocket route: as the core says
            raise HTTPException(400, 'Not a WebSocket request')
        offered = conn.scope.get('subprotocols') or []
        chosen = None
        if isinstance(subprotocols, str):
            chosen = subprotocols
        elif subprotocols:
            for name in subprotocols:
                if name in offered:
                    chosen = name
                    break
        msg = {'type': 'websocket.accept'}
        if chosen:
            msg['subprotocol'] = chosen
        await conn.send(msg)
        conn.ws = WebSocket(request, conn, chosen)
        return conn.ws

    # -- running -------------------------------------------------------------

    def run(self, host='0.0.0.0', port=5000, debug=False, ssl=None,
            **kwargs):
        """Serve the app with uvicorn (``pip install uvicorn``) until
        Ctrl-C. ``kwargs`` go to ``uvicorn.run()`` (``workers``,
        ``ssl_certfile``, ``ssl_keyfile``...)."""
        try:
            import uvicorn
        except ImportError:
            raise RuntimeError('microdot.asgi: app.run() needs uvicorn '
                               '(pip install uvicorn), or run the app with '
                               'any ASGI server')
        if ssl is not None:
            raise ValueError('pass ssl_certfile= and ssl_keyfile= to '
                             'uvicorn instead of an SSLContext')
        self.debug = debug
        kwargs.setdefault('log_level', 'info' if debug else 'warning')
        uvicorn.run(self, host=host, port=port, **kwargs)


async def _wait_disconnect(receive):
    while True:
        msg = await receive()
        if msg['type'] == 'http.disconnect':
            return


def _websocket_error():
    try:
        from .websocket import WebSocketError
        return WebSocketError
    except (ImportError, AttributeError):
        return ConnectionError


class _WSConnection:
    """The ASGI side of one WebSocket: the scope and the two channels."""

    def __init__(self, scope, receive, send):
        self.scope = scope
        self.receive = receive
        self.send = send
        self.ws = None

    async def refuse(self, req, res):
        """Answer a WebSocket request that was not accepted with ``res``
        when the server can send HTTP responses here, else close it."""
        if 'websocket.http.response' in (self.scope.get('extensions') or {}):
            res.complete()
            msg = _start_message(res)
            msg['type'] = 'websocket.http.response.start'
            await self.send(msg)
            body = res.body
            if not isinstance(body, bytes):
                pieces = []
                it = res.body_iter()
                try:
                    async for piece in it:
                        pieces.append(piece if isinstance(piece, bytes)
                                      else piece.encode())
                finally:
                    await it.aclose()
                body = b''.join(pieces)
            await self.send({'type': 'websocket.http.response.body',
                             'body': body})
        else:
            await self.send({'type': 'websocket.close', 'code': 1008})


class WebSocket:
    """A WebSocket connection carried by the ASGI server.

    The same interface as :class:`microdot.websocket.WebSocket`:
    ``await receive()`` returns str (text) or bytes (binary) messages;
    ``await send(data, opcode=None)``; ``await close(code=1000,
    reason='')``; ``subprotocol``. When the client closes or goes away,
    ``receive()`` and ``send()`` raise the websocket extension's
    ``WebSocketError``, and ``close_code`` / ``close_reason`` hold what the
    client sent (1006 when it just went away).
    """

    TEXT = 1
    BINARY = 2
    CLOSE = 8
    PING = 9
    PONG = 10

    def __init__(self, request, conn, subprotocol):
        self.request = request
        self.conn = conn
        self.subprotocol = subprotocol
        self.closed = False
        self.close_code = None
        self.close_reason = None

    def _gone(self):
        cls = _websocket_error()
        if cls is ConnectionError:
            return cls('WebSocket closed (%s)' % self.close_code)
        return cls(self.close_code or 1006, self.close_reason or 'closed')

    def _limit(self):
        try:
            from .websocket import WebSocket as Native
            return Native.max_message_length
        except (ImportError, AttributeError):
            return None

    async def receive(self):
        """The next message: str for text, bytes for binary."""
        if self.closed:
            raise self._gone()
        while True:
            msg = await self.conn.receive()
            kind = msg['type']
            if kind == 'websocket.receive':
                data = msg.get('text')
                if data is None:
                    data = msg.get('bytes') or b''
                limit = self._limit()
                if limit is not None and limit >= 0 and len(data) > limit:
                    await self.close(1009, 'Message too big')
                    raise self._gone()
                return data
            if kind == 'websocket.disconnect':
                self.closed = True
                self.close_code = msg.get('code', 1005)
                self.close_reason = msg.get('reason') or ''
                raise self._gone()

    async def send(self, data, opcode=None):
        """Send a message: text for str (or ``opcode`` 1), binary for
        bytes (or ``opcode`` 2). Pings and pongs are the server's job under
        ASGI and are not sent; a close frame (``opcode`` 8) closes."""
        if opcode == self.PING or opcode == self.PONG:
            return
        if opcode == self.CLOSE:
            code = 1000
            if isinstance(data, (bytes, bytearray)) and len(data) >= 2:
                code = data[0] << 8 | data[1]
                data = bytes(data[2:]).decode('utf-8', 'replace')
            return await self.close(code, data if isinstance(data, str)
                                    else '')
        if self.closed:
            raise self._gone()
        if opcode == self.TEXT and not isinstance(data, str):
            data = bytes(data).decode()
        elif opcode == self.BINARY and isinstance(data, str):
            data = data.encode()
        msg = {'type': 'websocket.send'}
        if isinstance(data, str):
            msg['text'] = data
        else:
            msg['bytes'] = bytes(data)
        try:
            await self.conn.send(msg)
        except (OSError, RuntimeError):
            self.closed = True
            self.close_code = self.close_code or 1006
            raise self._gone()

    async def close(self, code=1000, reason=''):
        """Close the connection with ``code`` (and ``reason``)."""
        if self.closed:
            return
        self.closed = True
        msg = {'type': 'websocket.close', 'code': code}
        if reason:
            msg['reason'] = reason
        try:
            await self.conn.send(msg)
        except (OSError, RuntimeError):
            pass  # already gone


def asgi_app(app):
    """Make ``app``, built with the core :class:`microdot.Microdot`, an
    ASGI application in place and return it, so an app module serves
    unchanged on a board and under an ASGI server::

        # asgi.py, next to app.py: uvicorn asgi:app
        from microdot.asgi import asgi_app
        from app import app
        app = asgi_app(app)
    """
    return _adopt(app, Microdot)


def _adopt(app, adapter):
    cls = type(app)
    if not issubclass(cls, adapter):
        if cls is not _core.Microdot:
            # a subclass of the app class: keep what it adds
            adapter = type(adapter.__name__, (adapter, cls), {})
        app.__class__ = adapter
    return app
