"""Helpers for the WebSocket tests: client frames built by hand, the
server's expected bytes, and a connection run straight through the
server's connection loop (no sockets), fed in pieces of any size.
"""
import asyncio

from microdot.server import serve_connection

KEY = 'dGhlIHNhbXBsZSBub25jZQ=='       # the key of RFC 6455, section 1.3
ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo='  # and its answer
MASK = b'\x37\xfa\x21\x3d'


def handshake(path='/ws', headers=None, version='13', key=KEY):
    lines = ['GET ' + path + ' HTTP/1.1', 'Host: localhost',
             'Upgrade: websocket', 'Connection: Upgrade']
    if key is not None:
        lines.append('Sec-WebSocket-Key: ' + key)
    if version is not None:
        lines.append('Sec-WebSocket-Version: ' + version)
    for name in headers or {}:
        lines.append(name + ': ' + headers[name])
    return ('\r\n'.join(lines) + '\r\n\r\n').encode()


def _length(n, form=None):
    if form is None:
        form = 7 if n < 126 else 16 if n < 65536 else 64
    if form == 7:
        return bytes((n,)), 0
    if form == 16:
        return bytes((126, n >> 8, n & 0xff)), 0
    return bytes((127,)) + n.to_bytes(8, 'big'), 0


def frame(opcode, payload=b'', fin=True, rsv=0, mask=MASK, form=None):
    """A client frame (masked unless ``mask`` is None)."""
    if isinstance(payload, str):
        payload = payload.encode()
    b0 = (0x80 if fin else 0) | (rsv << 4) | opcode
    length, _ = _length(len(payload), form)
    if mask is None:
        return bytes((b0,)) + length + payload
    length = bytes((length[0] | 0x80,)) + length[1:]
    masked = bytearray(payload)
    for i in range(len(masked)):
        masked[i] ^= mask[i & 3]
    return bytes((b0,)) + length + mask + bytes(masked)


def text(s, **kw):
    return frame(1, s, **kw)


def binary(b, **kw):
    return frame(2, b, **kw)


def close(code=None, reason=b''):
    payload = b'' if code is None else bytes((code >> 8, code & 0xff))
    return frame(8, payload + reason)


def sframe(opcode, payload=b''):
    """A frame as the server must send it (unmasked, FIN set)."""
    if isinstance(payload, str):
        payload = payload.encode()
    length, _ = _length(len(payload))
    return bytes((0x80 | opcode,)) + length + payload


def sclose(code, reason=''):
    return sframe(8, bytes((code >> 8, code & 0xff)) + reason.encode())


class Pieces:
    """A client that sends ``data`` in pieces of ``size`` bytes, letting
    the server run between pieces, then closes (EOF) or, with
    ``hold=True``, stays silent until :meth:`finish` is called."""

    def __init__(self, data, size=1 << 30, hold=False):
        self.data = data
        self.pos = 0
        self.size = size
        self.hold = hold
        self.more = None

    def feed(self, data):
        self.data = self.data[self.pos:] + data
        self.pos = 0
        if self.more is not None:
            self.more.set()

    def finish(self):
        self.hold = False
        if self.more is not None:
            self.more.set()

    async def read(self, n):
        while self.pos >= len(self.data) and self.hold:
            if self.more is None:
                self.more = asyncio.Event()
            self.more.clear()
            await self.more.wait()
        await asyncio.sleep(0)
        n = min(n, self.size)
        data = self.data[self.pos:self.pos + n]
        self.pos += len(data)
        return data


class Collector:
    """The server's side of the connection: collects what it writes."""

    def __init__(self):
        self.out = b''
        self.closed = False

    def write(self, data):
        self.out += bytes(data)

    async def drain(self):
        pass

    def close(self):
        self.closed = True

    async def wait_closed(self):
        pass

    def get_extra_info(self, name, default=None):
        return ('127.0.0.1', 1234) if name == 'peername' else default


def split_head(out):
    head, sep, rest = out.partition(b'\r\n\r\n')
    return head.decode(), rest


async def serve(app, data, size=1 << 30, timeout=5):
    """Run one connection whose client sends ``data``; returns
    (head as str, bytes the server sent after the head, writer)."""
    writer = Collector()
    await asyncio.wait_for(serve_connection(
        app, Pieces(data, size), writer), timeout)
    head, rest = split_head(writer.out)
    return head, rest, writer


def run_ws(app, frames, size=1 << 30, path='/ws', headers=None):
    """Handshake, then ``frames``; returns the frames the server sent."""
    from support import run
    head, rest, writer = run(serve(app, handshake(path, headers) + frames,
                                   size))
    assert head.startswith('HTTP/1.1 101 '), head
    assert writer.closed
    return rest
