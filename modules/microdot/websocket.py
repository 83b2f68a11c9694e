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
"""
import asyncio

from .helpers import MICROPYTHON, print_exception
from .request import HTTPException
from .response import Response

CancelledError = asyncio.CancelledError
_GUID = b'258EAFA5-E914-47DA-95CA-C5AB0DC85B11'


class WebSocketError(Exception):
    """The WebSocket connection is over (``code``: the close code, 1006 when
    the client went away without a close frame)."""

    def __init__(self, code=1006, reason=''):
        if isinstance(code, str):  # WebSocketError('message')
            code, reason = 1006, code
        super().__init__(code, reason)
        self.code = code
        self.reason = reason


def _unmask_loop(buf, mask):
    for i in range(len(buf)):
        buf[i] ^= mask[i & 3]


def _unmask_int(buf, mask):
    # one big-integer XOR instead of a Python step per byte
    n = len(buf)
    m = mask * ((n >> 2) + 1)
    buf[:] = (int.from_bytes(buf, 'big') ^
              int.from_bytes(m[:n], 'big')).to_bytes(n, 'big')


# whole 32-bit words, then the tail; bytearray buffers are word aligned
_VIPER = '''
@micropython.viper
def unmask(buf, mask):
    n = int(len(buf))
    p = ptr8(buf)
    m = ptr8(mask)
    w = ptr32(buf)
    k = m[0] | (m[1] << 8) | (m[2] << 16) | (m[3] << 24)
    i = 0
    words = n >> 2
    while i < words:
        w[i] ^= k
        i += 1
    i = words << 2
    while i < n:
        p[i] ^= m[i & 3]
        i += 1
'''


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
            if _works(scope['unmask']):
                return scope['unmask']
        except Exception:
            pass
    try:
        if _works(_unmask_int):
            return _unmask_int
    except Exception:  # no long integers on this port
        pass
    return _unmask_loop


unmask = _pick_unmask()
del _pick_unmask, _works, _VIPER  # used once: free their RAM

# (lead byte, low, high): invalid when low <= the next byte < high
# (overlong forms, UTF-16 surrogates, code points past U+10FFFF)
_PAIRS = ((b'\xe0', 0x80, 0xa0), (b'\xed', 0xa0, 0xc0),
          (b'\xf0', 0x80, 0x90), (b'\xf4', 0x90, 0xc0))


def decode_utf8(data):
    """``data`` as str; UnicodeError unless it is valid UTF-8 (strictly,
    also on MicroPython, whose own decoder accepts some invalid forms)."""
    text = str(data, 'utf-8')
    if MICROPYTHON and len(text) != len(data):  # not plain ASCII
        data = bytes(data)
        # bytes MicroPython's decoder lets through, never valid in UTF-8
        if max(data) >= 0xf5 or b'\xc0' in data or b'\xc1' in data:
            raise UnicodeError('invalid UTF-8')
        for lead, low, high in _PAIRS:
            i = data.find(lead)
            while i >= 0:
                if i + 1 < len(data) and low <= data[i + 1] < high:
                    raise UnicodeError('invalid UTF-8')
                i = data.find(lead, i + 1)
    return text


def _complete_end(buf, start):
    """The end of the last whole UTF-8 character in ``buf[start:]``."""
    end = len(buf)
    i = end - 1
    while i >= start and i > end - 4 and buf[i] & 0xc0 == 0x80:
        i -= 1
    if i >= start:
        c = buf[i]
        need = 2 if c & 0xe0 == 0xc0 else 3 if c & 0xf0 == 0xe0 else \
            4 if c & 0xf8 == 0xf0 else 1
        if end - i < need:
            return i
    return end


def _valid_close_code(code):
    return 1000 <= code <= 1003 or 1007 <= code <= 1014 or \
        3000 <= code <= 4999


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

    subprotocol = None
    closed = False
    close_code = None
    _aborted = False
    _alive = True
    _close_sent = False
    _peer_closed = False
    _task = None      # the task that runs the handler
    _reading = None   # the task waiting in receive(), if any
    _writing = None   # the task waiting in send(), if any
    _callbacks = None
    _shutdown = False

    def __init__(self, request):
        self.request = request
        self._reader, self._writer = request.sock

    # class defaults: an idle connection's instance stays small
    _op = None       # opcode of the message being reassembled
    _parts = None    # its payload so far (bytearray)
    _checked = 0     # bytes of it known to be valid UTF-8

    # -- receiving ------------------------------------------------------

    async def receive(self):
        """Wait for the next message: str (text) or bytes (binary).

        Raises :class:`WebSocketError` when the connection is over; pings
        are answered and a close frame is echoed on the way.
        """
        if self.closed:
            raise WebSocketError(self.close_code or 1006, 'closed')
        self._reading = asyncio.current_task()
        try:
            while True:
                # the idle wait for a frame keeps a shallow stack: a small
                # board holds this state for every open connection
                head = await self._reader.read(2)
                if len(head) < 2:
                    if not head:
                        raise EOFError('connection closed')
                    head += await self._reader.readexactly(1)
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
            self._reading = None

    async def _next_frame(self, head):
        """Read the rest of the frame that starts with ``head`` (2 bytes):
        the message it completes, or None."""
        read = self._reader.readexactly
        b0 = head[0]
        b1 = head[1]
        op = b0 & 0x0f
        n = b1 & 0x7f
        if b0 & 0x70:
            await self._fail(1002, 'reserved bits set')
        if not b1 & 0x80:
            await self._fail(1002, 'unmasked client frame')
        if op >= 8:
            if op > 10:
                await self._fail(1002, 'unknown opcode')
            if not b0 & 0x80 or n > 125:
                await self._fail(1002, 'bad control frame')
        elif op > 2:
            await self._fail(1002, 'unknown opcode')
        rest = await read(4 if n < 126 else 6 if n == 126 else 12)
        if n == 126:
            n = rest[0] << 8 | rest[1]
        elif n == 127:
            n = int.from_bytes(rest[:8], 'big')
            if n >> 63:
                await self._fail(1002, 'bad frame length')
        mask = rest[-4:]
        self._alive = True
        if op >= 8:
            payload = await self._payload(n, mask)
            if op == 9:
                await self._send_frame(10, payload)
            elif op == 8:
                await self._on_close(payload)
            return None
        if op == 0:
            if self._op is None:
                await self._fail(1002, 'continuation without a message')
        elif self._op is not None:
            await self._fail(1002, 'new message inside a fragmented one')
        parts = self._parts
        size = n + (len(parts) if parts is not None else 0)
        limit = self.max_message_length
        if limit is not None and 0 <= limit < size:
            await self._fail(1009, 'message too big')
        payload = await self._payload(n, mask)
        if op:
            if b0 & 0x80:  # a whole message in one frame (the usual case)
                if op == 2:
                    return bytes(payload)
                try:
                    return decode_utf8(payload)
                except UnicodeError:
                    await self._fail(1007, 'invalid UTF-8')
            self._op = op
            self._parts = parts = payload
            self._checked = 0
        else:
            parts += payload
        if self._op == 1:
            # validate what is complete so far: fail fast, not at the end
            end = len(parts) if b0 & 0x80 else \
                _complete_end(parts, self._checked)
            try:
                decode_utf8(parts[self._checked:end])
            except UnicodeError:
                await self._fail(1007, 'invalid UTF-8')
            self._checked = end
        if not b0 & 0x80:
            return None
        op = self._op
        self._op = None
        self._parts = None
        if op == 2:
            return bytes(parts)
        return str(parts, 'utf-8')

    async def _payload(self, n, mask):
        """Read and unmask a payload of ``n`` bytes into a bytearray."""
        if n <= 1024:
            buf = bytearray(await self._reader.readexactly(n)) if n else \
                bytearray()
        else:
            try:
                buf = bytearray(n)  # MemoryError here: answered with 1009
            except OverflowError:  # past a machine word on a 32-bit board
                raise MemoryError('frame too large')
            view = memoryview(buf)
            got = 0
            read = self._reader.read
            while got < n:
                data = await read(min(n - got, 4096))
                if not data:
                    raise EOFError('connection closed mid-frame')
                view[got:got + len(data)] = data
                got += len(data)
        if n:
            unmask(buf, mask)
        return buf

    async def _on_close(self, payload):
        code = None
        if len(payload) == 1:
            await self._fail(1002, 'bad close frame')
        if payload:
            code = payload[0] << 8 | payload[1]
            if not _valid_close_code(code):
                await self._fail(1002, 'invalid close code')
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
        self._writing = asyncio.current_task()
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
            self._writing = None

    async def _send_frame(self, opcode, payload):
        n = len(payload)
        if n < 126:
            head = bytes((0x80 | opcode, n))
        elif n < 65536:
            head = bytes((0x80 | opcode, 126, n >> 8, n & 0xff))
        else:
            head = bytes((0x80 | opcode, 127)) + n.to_bytes(8, 'big')
        writer = self._writer
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
        if self._aborted:
            return
        self._aborted = True
        self._lost()
        done = [asyncio.current_task(), None]
        for task in (self._reading, self._writing, self._task):
            if task not in done:  # each task once
                done.append(task)
                task.cancel()
        writer = self._writer
        # CPython's transport (under the server's Connection, if any)
        transport = getattr(getattr(writer, 'writer', writer), 'transport',
                            None)
        if transport is not None:
            transport.abort()  # CPython: drop unsent data, close now

    def on_close(self, callback):
        """Call ``callback(ws)`` when the connection ends (pub/sub uses it
        to drop the subscriptions of a client that went away)."""
        if self._callbacks is None:
            self._callbacks = []
        self._callbacks.append(callback)

    # -- connection lifetime (used by with_websocket) -------------------

    async def _pinger(self, interval, timeout):
        """Ping every ``interval`` s (``timeout`` if longer); abort when
        nothing arrives from the client within ``timeout`` s of a ping."""
        await asyncio.sleep(interval)
        while not self.closed:
            self._alive = False
            try:
                self._writer.write(b'\x89\x00')
                if getattr(self._writer, 'out_buf', True):
                    await self._writer.drain()
            except Exception:
                self.abort()
                return
            await asyncio.sleep(timeout)
            if not self._alive and not self.closed:
                self.abort()
                return
            if interval > timeout:
                await asyncio.sleep(interval - timeout)

    async def _finish(self):
        """After the handler: the closing handshake, with at most a short
        wait for the client's close frame."""
        if not self._close_sent and not self._aborted:
            self.closed = True
            if self.close_code is None:
                self.close_code = 1000
            await self._send_close(self.close_code)
        if not (self._peer_closed or self._aborted or self._shutdown or
                self.close_code == 1006):
            try:
                await asyncio.wait_for(self._await_close(), 1)
            except Exception:
                pass
        callbacks = self._callbacks
        self._callbacks = None
        for f in callbacks or ():
            try:
                f(self)
            except Exception as exc:
                print_exception(exc)

    async def _await_close(self):
        # read (and drop) what the client still sends, up to its close
        # frame: closing with unread input would reset the connection and
        # might destroy our close frame before the client reads it
        reader = self._reader
        while True:
            head = await reader.readexactly(2)
            n = head[1] & 0x7f
            rest = await reader.readexactly(
                (4 if n < 126 else 6 if n == 126 else 12)
                if head[1] & 0x80 else (0 if n < 126 else 2 if n == 126
                                        else 8))
            if n == 126:
                n = rest[0] << 8 | rest[1]
            elif n == 127:
                n = int.from_bytes(rest[:8], 'big')
            while n > 0:
                data = await reader.read(min(n, 1024))
                if not data:
                    return
                n -= len(data)
            if head[0] & 0x0f == 8:
                return


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
    if request.method != 'GET' or \
            'websocket' not in _tokens(headers.get('Upgrade')) or \
            'upgrade' not in _tokens(headers.get('Connection')):
        raise HTTPException(400, 'Not a WebSocket request')
    if headers.get('Sec-WebSocket-Version') != '13':
        exc = HTTPException(400, 'Unsupported WebSocket version')
        exc.version = True
        raise exc
    import binascii
    try:
        if key is None or len(binascii.a2b_base64(key)) != 16:
            raise ValueError
    except ValueError:
        raise HTTPException(400, 'Invalid Sec-WebSocket-Key')
    digest = _sha1(key.encode() + _GUID)
    ws = WebSocket(request)
    head = b'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n' \
        b'Connection: Upgrade\r\nSec-WebSocket-Accept: ' + \
        binascii.b2a_base64(digest).strip() + b'\r\n'
    if subprotocols:
        offered = [t.strip() for t in
                   (headers.get('Sec-WebSocket-Protocol') or '').split(',')]
        for name in subprotocols:  # the server's preference decides
            if name in offered:
                ws.subprotocol = name
                head += b'Sec-WebSocket-Protocol: ' + name.encode() + b'\r\n'
                break
    writer = ws._writer
    writer.write(head + b'\r\n')
    await writer.drain()
    return ws


def _sha1(data):
    """SHA-1 of ``data`` (the handshake's Sec-WebSocket-Accept), from
    ``hashlib`` where the port has it, else computed here (ports built
    without it, like the QEMU board; once per handshake, 60 bytes)."""
    try:
        from hashlib import sha1
        return sha1(data).digest()
    except ImportError:
        return sha1_python(data)


def sha1_python(data):
    """SHA-1 (FIPS 180-4) in Python, for ports without hashlib.sha1."""
    h = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0]
    n = len(data)
    data = bytes(data) + b'\x80' + bytes((55 - n) % 64) + \
        (n * 8).to_bytes(8, 'big')
    mask = 0xffffffff
    for block in range(0, len(data), 64):
        w = [int.from_bytes(data[block + i:block + i + 4], 'big')
             for i in range(0, 64, 4)]
        for i in range(16, 80):
            x = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]
            w.append(((x << 1) | (x >> 31)) & mask)
        a, b, c, d, e = h
        for i in range(80):
            if i < 20:
                f, k = (b & c) | (~b & d), 0x5A827999
            elif i < 40:
                f, k = b ^ c ^ d, 0x6ED9EBA1
            elif i < 60:
                f, k = (b & c) | (b & d) | (c & d), 0x8F1BBCDC
            else:
                f, k = b ^ c ^ d, 0xCA62C1D6
            t = (((a << 5) | (a >> 27)) + (f & mask) + e + k + w[i]) & mask
            a, b, c, d, e = t, a, ((b << 30) | (b >> 2)) & mask, c, d
        h = [(x + y) & mask for x, y in zip(h, (a, b, c, d, e))]
    return b''.join(x.to_bytes(4, 'big') for x in h)


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
        def decorator(g):
            return with_websocket(g, subprotocols, ping_interval,
                                  ping_timeout)
        return decorator

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

    async def __call__(self, request, *args, **kwargs):
        f = self.f
        ping_interval = self.ping_interval
        try:
            ws = await websocket_upgrade(request, self.subprotocols)
        except HTTPException as exc:
            headers = {'Sec-WebSocket-Version': '13'} \
                if getattr(exc, 'version', False) else None
            return Response(exc.reason, 400, headers)
        if not isinstance(ws, WebSocket):  # the ASGI adapter's own
            code = 1000
            try:
                await f(request, ws, *args, **kwargs)
            except WebSocketError:
                pass
            except MemoryError:
                code = 1009
            except Exception as exc:  # as on our own server: 1011
                print_exception(exc)
                code = 1011
            finally:
                try:
                    await (ws.close(code) if code != 1000 else ws.close())
                except Exception:
                    pass
            return Response.already_handled
        ws._task = asyncio.current_task()
        pinger = None
        if ping_interval:
            pinger = asyncio.create_task(ws._pinger(
                ping_interval, self.ping_timeout or ping_interval))
        try:
            await f(request, ws, *args, **kwargs)
        except WebSocketError:
            pass
        except CancelledError:
            if not ws._aborted:
                ws.close_code = 1001  # the server is shutting down
                ws._shutdown = True
                await ws._finish()
                raise
        except MemoryError:
            ws.close_code = 1009
        except Exception as exc:
            print_exception(exc)
            ws.close_code = 1011
        finally:
            if pinger is not None:
                pinger.cancel()
        ws._task = None
        await ws._finish()
        return Response.already_handled

