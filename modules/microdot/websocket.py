"""WebSocket (RFC 6455) for route handlers.

    from microdot.websocket import with_websocket, WebSocketError

    @app.route('/echo')
    @with_websocket
    async def echo(request, ws):
        while True:
            await ws.send(await ws.receive())

``receive()`` raises :class:`WebSocketError` once the connection is over
for any reason (the client closed it, went away, broke the protocol, or
missed a ping deadline); :func:`with_websocket` ends the connection quietly
when the handler lets it propagate. Protocol errors are answered with the
close codes of RFC 6455 (1002, 1007, 1009) before the connection closes.

What the usual connection never runs (protocol errors, fragmented
messages, server pings, ``abort()``, the closing wait, the ASGI adapter,
SHA-1 in Python) is in :mod:`microdot.websocket_rare`, imported on first
use: on MicroPython every function of a loaded module costs heap.
"""
import asyncio

from .helpers import MICROPYTHON, print_exception
from .connection import Connection
from .request import HTTPException
from .response import Response

CancelledError = asyncio.CancelledError


class WebSocketError(Exception):
    """The WebSocket connection is over (``code``: the close code, 1006 when
    the client went away without a close frame)."""

    def __init__(self, code=1006, reason=''):
        if isinstance(code, str):  # WebSocketError('message')
            code, reason = 1006, code
        super().__init__(code, reason)
        self.code = code
        self.reason = reason


def _unmask_int(buf, mask):
    # one big-integer XOR instead of a Python step per byte
    n = len(buf)
    m = mask * ((n >> 2) + 1)
    buf[:] = (int.from_bytes(buf, 'big') ^
              int.from_bytes(m[:n], 'big')).to_bytes(n, 'big')


def decode_utf8(data):
    """``data`` as str; UnicodeError unless it is valid UTF-8 (strictly,
    also on MicroPython, whose own decoder accepts some invalid forms)."""
    text = str(data, 'utf-8')
    if MICROPYTHON and len(text) != len(data):  # not plain ASCII
        from .websocket_rare import check_utf8
        check_utf8(bytes(data))
    return text


# whole 32-bit words, then the tail (bytearray buffers are word aligned);
# terse because the text stays in the heap with the module's constants
_VIPER = """@micropython.viper
def f(b,q):
 n=int(len(b));p=ptr8(b);m=ptr8(q);w=ptr32(b)
 k=m[0]|(m[1]<<8)|(m[2]<<16)|(m[3]<<24);i=0;j=n>>2
 while i<j:w[i]^=k;i+=1
 i=j<<2
 while i<n:p[i]^=m[i&3];i+=1"""


def _works(f):
    b = bytearray(b'\x00\x01\x02\x03\x04\x05\x06')
    f(b, b'\x01\x02\x04\x08')
    return b == b'\x01\x03\x06\x0b\x05\x07\x02'


def _pick_unmask():
    """The fastest unmasking this runtime has. Measured on the unix port
    (µs per 4 KB): Python loop 1300, @native loop 700, big-integer XOR
    190, viper bytes 60, viper words 10."""
    if MICROPYTHON:
        try:  # native code, where the port has an emitter for it
            scope = {}
            exec(_VIPER, scope)
            if _works(scope['f']):
                return scope['f']
        except Exception:
            pass
    try:
        if _works(_unmask_int):
            return _unmask_int
    except Exception:  # no long integers on this port
        pass
    from .websocket_rare import unmask_loop
    return unmask_loop


unmask = _pick_unmask()
del _pick_unmask, _works, _VIPER  # used once: free their RAM
if MICROPYTHON and unmask is not _unmask_int:
    del _unmask_int  # 136 bytes


class WebSocket:
    """One WebSocket connection, given to a :func:`with_websocket` handler.

    ``receive()`` returns the next message (str for text, bytes for
    binary); ``send(data)`` sends one; ``close()`` ends the connection.
    ``subprotocol`` is the negotiated subprotocol (None if none).
    """
    CONT = 0
    TEXT = 1
    BINARY = 2
    CLOSE = 8
    PING = 9
    PONG = 10

    #: Largest message accepted, in bytes (-1: no limit but the heap); a
    #: larger one closes the connection with 1009.
    max_message_length = -1
    #: Payloads up to this size go out in one write with their frame head.
    join_limit = 8192

    # class defaults: each attribute an instance stores costs 16 bytes of
    # heap for as long as the connection is open
    subprotocol = None
    closed = False
    close_code = None
    _aborted = False
    _alive = True
    _close_sent = False
    _peer_closed = False
    _task = None      # the task that runs the handler
    _reading = None   # another task waiting in receive(), if any
    _writing = None   # another task waiting in send(), if any
    _callbacks = None
    _shutdown = False
    _pinger = None
    _op = None       # opcode of the message being reassembled
    _parts = None    # its payload so far (bytearray)
    _checked = 0     # bytes of it known to be valid UTF-8

    def __init__(self, request):
        self.request = request

    # -- receiving ------------------------------------------------------

    async def receive(self):
        """Wait for the next message: str (text) or bytes (binary).

        Raises :class:`WebSocketError` when the connection is over; pings
        are answered and a close frame is echoed on the way.
        """
        if self.closed:
            raise WebSocketError(self.close_code or 1006, 'closed')
        task = asyncio.current_task()
        if task is not self._task:  # abort() cancels the handler's anyway
            self._reading = task
        try:
            while True:
                head = await self._read2()
                if len(head) < 2:
                    if not head:
                        raise EOFError
                    head += await self.request.sock[0].readexactly(1)
                msg = await self._next_frame(head)
                if msg is not None:
                    return msg
        except (EOFError, OSError):
            self._lost()
            raise WebSocketError(1006, 'connection lost')
        except MemoryError:
            self._parts = None
            await self._fail(1009, 'out of memory')
        except CancelledError:
            if self._aborted:
                raise WebSocketError(1006, 'connection aborted')
            raise
        finally:
            if self._reading is not None:
                self._reading = None

    def _read2(self):
        # a plain method: its awaitable is the stream's own read, so the
        # idle wait keeps no frame of ours but receive()'s
        reader = self.request.sock[0]
        if type(reader) is Connection:
            # the server's connection: nothing of ours held while idle
            return reader.read_idle(2)
        return reader.read(2)

    async def _next_frame(self, head):
        """Read the rest of the frame that starts with ``head`` (2 bytes):
        the message it completes, or None."""
        b0 = head[0]
        b1 = head[1]
        op = b0 & 0x0f
        n = b1 & 0x7f
        # valid: no reserved bits, masked, opcode 0-2 or 8-10, a control
        # frame unfragmented and at most 125 bytes
        if b0 & 0x70 or b1 < 0x80 or not 0x707 >> op & 1 or \
                op > 7 and (b0 < 0x80 or n > 125):
            from .websocket_rare import bad_head
            await bad_head(self, b0, b1)
        rest = await self.request.sock[0].readexactly(
            4 if n < 126 else 6 if n == 126 else 12)
        if n == 126:
            n = rest[0] << 8 | rest[1]
        elif n == 127:
            n = int.from_bytes(rest[:8], 'big')
            if n >> 63:
                await self._fail(1002, 'bad frame length')
        mask = rest[-4:]
        if not self._alive:
            self._alive = True
        if op > 7:
            payload = await self._payload(n, mask)
            if op == 9:
                await self._send_frame(10, payload)
            elif op == 8:
                await self._on_close(payload)
            return None
        if not op or b0 < 0x80 or self._op is not None:
            from .websocket_rare import fragment
            return await fragment(self, b0, op, n, mask)
        # a whole message in one frame (the usual case)
        limit = self.max_message_length
        if limit is not None and 0 <= limit < n:
            await self._fail(1009, 'message too big')
        payload = await self._payload(n, mask)
        if op == 2:
            return bytes(payload)
        try:
            return decode_utf8(payload)
        except UnicodeError:
            await self._fail(1007, 'invalid UTF-8')

    async def _payload(self, n, mask):
        """Read and unmask a payload of ``n`` bytes into a bytearray."""
        reader = self.request.sock[0]
        if n <= 1024:
            buf = bytearray(await reader.readexactly(n)) if n else \
                bytearray()
        else:
            try:
                buf = bytearray(n)  # MemoryError here: answered with 1009
            except OverflowError:  # past a machine word on a 32-bit board
                raise MemoryError
            view = memoryview(buf)
            got = 0
            while got < n:
                data = await reader.read(min(n - got, 4096))
                if not data:
                    raise EOFError
                view[got:got + len(data)] = data
                got += len(data)
        if n:
            unmask(buf, mask)
        return buf

    async def _on_close(self, payload):
        code = None
        if payload:
            code = payload[0] << 8 | payload[1] if len(payload) > 1 else 0
            if not (1000 <= code <= 1003 or 1007 <= code <= 1014 or
                    3000 <= code <= 4999):
                from .websocket_rare import bad_close
                await bad_close(self, payload)
            try:
                decode_utf8(payload[2:])
            except UnicodeError:
                await self._fail(1007, 'invalid close reason')
        self.closed = True
        self._peer_closed = True
        self.close_code = code or 1005
        if not self._close_sent:
            self._close_sent = True
            try:
                await self._send_frame(8, payload[:2])  # echo the code
            except (OSError, WebSocketError):
                pass
        raise WebSocketError(self.close_code, 'closed by the client')

    async def _fail(self, code, reason):
        """Fail the connection: close frame with ``code``, then raise."""
        self._parts = None
        if not self.closed:
            self.closed = True
            self.close_code = code
            await self._send_close(code, reason)
        raise WebSocketError(code, reason)

    def _lost(self):
        self.closed = True
        if self.close_code is None:
            self.close_code = 1006
        self._close_sent = True  # nobody to send it to

    # -- sending --------------------------------------------------------

    async def send(self, data, opcode=None):
        """Send a message: str as text, bytes as binary (or ``opcode``)."""
        if self.closed:
            raise WebSocketError(self.close_code or 1006, 'closed')
        if isinstance(data, str):
            data = data.encode()
            if opcode is None:
                opcode = 1
        elif opcode is None:
            opcode = 2
        task = asyncio.current_task()
        if task is not self._task:
            self._writing = task
        try:
            await self._send_frame(opcode, data)
        except (OSError, EOFError):
            self._lost()
            raise WebSocketError(1006, 'connection lost')
        except CancelledError:
            if self._aborted:
                raise WebSocketError(1006, 'connection aborted')
            raise
        finally:
            if self._writing is not None:
                self._writing = None

    async def _send_frame(self, opcode, payload):
        n = len(payload)
        if n < 126:
            head = bytes((0x80 | opcode, n))
        elif n < 65536:
            head = bytes((0x80 | opcode, 126, n >> 8, n & 0xff))
        else:
            head = bytes((0x80 | opcode, 127)) + n.to_bytes(8, 'big')
        writer = self.request.sock[1]
        if n <= self.join_limit:
            # one write: a frame head sent alone would meet Nagle's
            # algorithm and the client's delayed ACK (a 40 ms stall)
            writer.write(head + payload if n else head)
        else:
            writer.write(head)
            writer.write(payload)
        if getattr(writer, 'out_buf', True):  # see Response.write
            await writer.drain()

    async def _send_close(self, code, reason=''):
        self._close_sent = True
        payload = bytes((code >> 8, code & 0xff)) + reason.encode()[:123]
        try:
            await self._send_frame(8, payload)
        except (OSError, EOFError):
            pass

    async def close(self, code=1000, reason=''):
        """Close the connection (a close frame with ``code``, then the
        socket once the handler returns)."""
        if not self.closed:
            self.closed = True
            self.close_code = code
            await self._send_close(code, reason)

    def abort(self):
        """End the connection now, without a closing handshake (a dead or
        stalled client): tasks waiting in receive() or send() get
        :class:`WebSocketError`, the handler's task is cancelled."""
        from .websocket_rare import abort
        abort(self)

    def on_close(self, callback):
        """Call ``callback(ws)`` when the connection ends (pub/sub uses it
        to drop the subscriptions of a client that went away)."""
        if self._callbacks is None:
            self._callbacks = []
        self._callbacks.append(callback)

    # -- connection lifetime (used by with_websocket) -------------------

    async def _finish(self, exc):
        """After the handler, ended by ``exc`` (None: it returned): the
        closing handshake, with at most a short wait for the client's close
        frame."""
        pinger = self._pinger
        if pinger is not None:
            pinger.cancel()
        if exc is not None and not isinstance(exc, WebSocketError):
            if isinstance(exc, CancelledError):
                if not self._aborted:
                    self.close_code = 1001  # the server is shutting down
                    self._shutdown = True
                    await self._finish(None)
                    raise exc
            elif isinstance(exc, MemoryError):
                self.close_code = 1009
            elif isinstance(exc, Exception):
                print_exception(exc)
                self.close_code = 1011
            else:
                raise exc  # KeyboardInterrupt, SystemExit: no closing
        self._task = None
        if not self._close_sent and not self._aborted:
            self.closed = True
            if self.close_code is None:
                self.close_code = 1000
            await self._send_close(self.close_code)
        if not (self._peer_closed or self._aborted or self._shutdown or
                self.close_code == 1006):
            from .websocket_rare import await_close
            try:
                await asyncio.wait_for(await_close(self), 1)
            except Exception:
                pass
        callbacks = self._callbacks
        self._callbacks = None
        for f in callbacks or ():
            try:
                f(self)
            except Exception as exc:
                print_exception(exc)


def _tokens(value):
    return [t.strip().lower() for t in (value or '').split(',')]


async def websocket_upgrade(request, subprotocols=None):
    """Complete the handshake for ``request`` and return a
    :class:`WebSocket` (for handlers that upgrade by hand).

    Raises HTTPException 400 for a request that is not a valid WebSocket
    handshake. Behind the ASGI adapter, the adapter's own WebSocket object
    is returned (``request.app.accept_websocket``).
    """
    accept = getattr(request.app, 'accept_websocket', None)
    if callable(accept):
        return await accept(request, subprotocols)
    headers = request.headers
    key = headers.get('Sec-WebSocket-Key')
    import binascii
    try:
        ok = request.method == 'GET' and \
            'websocket' in _tokens(headers.get('Upgrade')) and \
            'upgrade' in _tokens(headers.get('Connection')) and \
            headers.get('Sec-WebSocket-Version') == '13' and \
            len(binascii.a2b_base64(key)) == 16
    except (ValueError, TypeError):
        ok = False
    if not ok:  # which 400 it is: rare code
        from .websocket_rare import refuse
        refuse(request)
    try:
        from hashlib import sha1
    except ImportError:  # ports built without it, like the QEMU board
        from .websocket_rare import sha1_python as sha1
    digest = sha1(key.encode() + b'258EAFA5-E914-47DA-95CA-C5AB0DC85B11')
    if not isinstance(digest, bytes):
        digest = digest.digest()
    ws = WebSocket(request)
    head = b'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n' \
        b'Connection: Upgrade\r\nSec-WebSocket-Accept: ' + \
        binascii.b2a_base64(digest).strip() + b'\r\n'
    if subprotocols:
        from .websocket_rare import subprotocol
        head += subprotocol(ws, headers, subprotocols)
    writer = request.sock[1]
    writer.write(head + b'\r\n')
    await writer.drain()
    return ws


def sha1_python(data):
    """SHA-1 (FIPS 180-4) in Python, for ports without hashlib.sha1."""
    from .websocket_rare import sha1_python
    return sha1_python(data)


def with_websocket(f=None, subprotocols=None, ping_interval=None,
                   ping_timeout=None):
    """Decorator: make a route handler a WebSocket handler, called as
    ``f(request, ws, **url_args)``.

    Use bare (``@with_websocket``) or with options:
    ``subprotocols`` (list, the server's preference first; the chosen one
    is ``ws.subprotocol``), ``ping_interval`` (seconds between server
    pings, None for none) and ``ping_timeout`` (seconds the client has to
    answer, default ``ping_interval``); a client that misses it is dropped.
    The pings need a task in ``receive()`` to read the answers.
    """
    if f is None:
        return lambda g: with_websocket(g, subprotocols, ping_interval,
                                        ping_timeout)
    return _Handler(f, subprotocols, ping_interval, ping_timeout)


class _Handler:
    # a class, not a closure: MicroPython closures can not carry the
    # __name__ that routing uses as the endpoint
    def __init__(self, f, subprotocols, ping_interval, ping_timeout):
        self.f = f
        self.__name__ = getattr(f, '__name__', 'websocket')
        self.subprotocols = subprotocols
        self.ping_interval = ping_interval
        self.ping_timeout = ping_timeout

    def __call__(self, request, *args, **kwargs):
        # not a coroutine itself: the session's coroutine holds no
        # (empty) kwargs dict and no *args call state for the
        # connection's life (96 bytes less per connection on MicroPython)
        return self._run(request, (args, kwargs) if args or kwargs
                         else None)

    async def _run(self, request, extra):
        ws = await self._start(request, extra)
        if type(ws) is not WebSocket:
            return ws  # a 400 response, or the ASGI adapter's session done
        conn = request.sock[0]
        if type(conn) is Connection:
            # the server's connection runs the handler once dispatch has
            # returned, then the closing handshake: dispatch_request()'s
            # frame and this one are not held for the connection's life
            # (320 bytes per open WebSocket on MicroPython), nor one of
            # _session()'s (192 bytes)
            conn.takeover = self._call(request, ws, extra)
            conn.takeover_end = ws._finish
            return Response.already_handled
        return await self._session(request, ws, extra)  # the ASGI adapter

    async def _session(self, request, ws, extra):
        try:
            await self._call(request, ws, extra)
        except BaseException as exc:
            await ws._finish(exc)
            return Response.already_handled
        await ws._finish(None)
        return Response.already_handled

    def _call(self, request, ws, extra):
        if extra:
            return self.f(request, ws, *extra[0], **extra[1])
        return self.f(request, ws)

    async def _start(self, request, extra):
        # the handshake, apart: its state is not held for the session
        try:
            ws = await websocket_upgrade(request, self.subprotocols)
        except HTTPException as exc:
            from .websocket_rare import refused
            return refused(exc)
        if not isinstance(ws, WebSocket):  # the ASGI adapter's own
            from .websocket_rare import asgi_session
            return await asgi_session(self.f, request, ws, extra)
        ws._task = asyncio.current_task()
        if self.ping_interval:
            from .websocket_rare import pinger
            ws._pinger = asyncio.create_task(pinger(
                ws, self.ping_interval,
                self.ping_timeout or self.ping_interval))
        return ws


if not MICROPYTHON:
    # CPython runs a handler whose __call__ is not a coroutine function in
    # its thread pool: give it one
    from .websocket_rare import cpython_call
    _Handler.__call__ = cpython_call
    del cpython_call
