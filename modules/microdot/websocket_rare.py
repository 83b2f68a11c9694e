"""The rarely run part of :mod:`microdot.websocket`, imported on first use.

Protocol errors, fragmented messages, strict UTF-8 checks, server pings,
``abort()``, the wait for the client's close frame, the ASGI adapter's
sessions and SHA-1 for ports without ``hashlib``. On MicroPython all the
code of a loaded module stays in the heap: a connection that never needs
these never loads them.
"""
import asyncio

from .helpers import print_exception
from .websocket import WebSocketError, decode_utf8, CancelledError

def unmask_loop(buf, mask):
    for i in range(len(buf)):
        buf[i] ^= mask[i & 3]


# (lead byte, low, high): invalid when low <= the next byte < high
# (overlong forms, UTF-16 surrogates, code points past U+10FFFF)
_PAIRS = ((b'\xe0', 0x80, 0xa0), (b'\xed', 0xa0, 0xc0),
          (b'\xf0', 0x80, 0x90), (b'\xf4', 0x90, 0xc0))


def check_utf8(data):
    """UnicodeError for the bytes MicroPython's decoder lets through,
    never valid in UTF-8 (``data``: bytes, not plain ASCII)."""
    if max(data) >= 0xf5 or b'\xc0' in data or b'\xc1' in data:
        raise UnicodeError('invalid UTF-8')
    for lead, low, high in _PAIRS:
        i = data.find(lead)
        while i >= 0:
            if i + 1 < len(data) and low <= data[i + 1] < high:
                raise UnicodeError('invalid UTF-8')
            i = data.find(lead, i + 1)


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


async def bad_head(ws, b0, b1):
    """Fail the connection for a frame head that ``_next_frame`` refused."""
    op = b0 & 0x0f
    if b0 & 0x70:
        await ws._fail(1002, 'reserved bits set')
    if not b1 & 0x80:
        await ws._fail(1002, 'unmasked client frame')
    if 2 < op < 8 or op > 10:
        await ws._fail(1002, 'unknown opcode')
    await ws._fail(1002, 'bad control frame')


async def bad_close(ws, payload):
    await ws._fail(1002, 'bad close frame' if len(payload) == 1
                   else 'invalid close code')


async def fragment(ws, b0, op, n, mask):
    """A data frame of a fragmented message (or a continuation without
    one): the message it completes, or None."""
    if op == 0:
        if ws._op is None:
            await ws._fail(1002, 'continuation without a message')
    elif ws._op is not None:
        await ws._fail(1002, 'new message inside a fragmented one')
    parts = ws._parts
    size = n + (len(parts) if parts is not None else 0)
    limit = ws.max_message_length
    if limit is not None and 0 <= limit < size:
        await ws._fail(1009, 'message too big')
    payload = await ws._payload(n, mask)
    if op:
        ws._op = op
        ws._parts = parts = payload
        ws._checked = 0
    else:
        parts += payload
    fin = b0 & 0x80
    if ws._op == 1:
        # validate what is complete so far: fail fast, not at the end
        end = len(parts) if fin else _complete_end(parts, ws._checked)
        try:
            decode_utf8(parts[ws._checked:end])
        except UnicodeError:
            await ws._fail(1007, 'invalid UTF-8')
        ws._checked = end
    if not fin:
        return None
    op = ws._op
    ws._op = None
    ws._parts = None
    if op == 2:
        return bytes(parts)
    return str(parts, 'utf-8')


def refuse(request):
    """Raise the HTTPException 400 for a request that is not a valid
    WebSocket handshake."""
    from .websocket import _tokens
    from .request import HTTPException
    headers = request.headers
    if request.method != 'GET' or \
            'websocket' not in _tokens(headers.get('Upgrade')) or \
            'upgrade' not in _tokens(headers.get('Connection')):
        raise HTTPException(400, 'Not a WebSocket request')
    if headers.get('Sec-WebSocket-Version') != '13':
        exc = HTTPException(400, 'Unsupported WebSocket version')
        exc.version = True
        raise exc
    raise HTTPException(400, 'Invalid Sec-WebSocket-Key')


def refused(exc):
    """The 400 response for ``exc`` (see :func:`refuse`)."""
    from .response import Response
    headers = {'Sec-WebSocket-Version': '13'} \
        if getattr(exc, 'version', False) else None
    return Response(exc.reason, 400, headers)


def subprotocol(ws, headers, subprotocols):
    """Pick the subprotocol (the server's preference decides): its
    response header line, or b''."""
    offered = [t.strip() for t in
               (headers.get('Sec-WebSocket-Protocol') or '').split(',')]
    for name in subprotocols:
        if name in offered:
            ws.subprotocol = name
            return b'Sec-WebSocket-Protocol: ' + name.encode() + b'\r\n'
    return b''


def abort(ws):
    """:meth:`WebSocket.abort`."""
    if ws._aborted:
        return
    ws._aborted = True
    ws._lost()
    done = [asyncio.current_task(), None]
    for task in (ws._reading, ws._writing, ws._task):
        if task not in done:  # each task once
            done.append(task)
            task.cancel()
    writer = ws.request.sock[1]
    # CPython's transport (under the server's Connection, if any)
    transport = getattr(getattr(writer, 'writer', writer), 'transport',
                        None)
    if transport is not None:
        transport.abort()  # CPython: drop unsent data, close now


async def pinger(ws, interval, timeout):
    """Ping every ``interval`` s (``timeout`` if longer); abort when
    nothing arrives from the client within ``timeout`` s of a ping."""
    await asyncio.sleep(interval)
    while not ws.closed:
        ws._alive = False
        writer = ws.request.sock[1]
        try:
            writer.write(b'\x89\x00')
            if getattr(writer, 'out_buf', True):
                await writer.drain()
        except Exception:
            ws.abort()
            return
        await asyncio.sleep(timeout)
        if not ws._alive and not ws.closed:
            ws.abort()
            return
        if interval > timeout:
            await asyncio.sleep(interval - timeout)


async def await_close(ws):
    # read (and drop) what the client still sends, up to its close
    # frame: closing with unread input would reset the connection and
    # might destroy our close frame before the client reads it
    reader = ws.request.sock[0]
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


async def asgi_session(f, request, ws, extra):
    """A :func:`~microdot.websocket.with_websocket` handler behind the ASGI
    adapter (``ws`` is the adapter's own WebSocket)."""
    from .response import Response
    code = 1000
    try:
        await (f(request, ws, *extra[0], **extra[1]) if extra
               else f(request, ws))
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


async def cpython_call(self, request, *args, **kwargs):
    # _Handler.__call__ on CPython (see websocket.py)
    return await self._run(request, (args, kwargs) if args or kwargs
                           else None)


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
