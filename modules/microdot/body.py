"""Request bodies read as streams, and chunked request bodies.

Imported on first use: most requests carry small bodies read in one go.
"""
from .exceptions import HTTPException, ProtocolError
from .connection import Connection


class _OnTheWire:
    """A body read off the connection while the handler runs.

    A handler runs under no timeout, but while it waits for the client to
    send more of the body the connection is under the request timeout:
    a client that stalls mid-body can not pin the connection.
    """

    async def read(self, n=-1):
        """Read up to ``n`` bytes of the body (all of it when ``n`` < 0);
        b'' at its end."""
        conn = self.reader
        if conn.app is None or conn.deadline is not None:
            return await self._read(n)  # already under a timeout
        conn.busy()
        try:
            return await self._read(n)
        finally:
            conn.handling()

    # read() until n bytes: EOFError if the body ends first
    readexactly = Connection.readexactly


class BodyStream(_OnTheWire):
    """The body of a large request, read on demand (``request.stream``)."""

    def __init__(self, reader, length):
        self.reader = reader
        self.remaining = length

    async def _read(self, n):
        if n < 0 or n > self.remaining:
            n = self.remaining
        if n == 0:
            return b''
        if n == self.remaining and n > Connection.chunk_size:
            data = await self.reader.readexactly(n)
        else:
            data = await self.reader.read(n)
            if not data:
                raise EOFError('connection closed mid-body')
        self.remaining -= len(data)
        return data

    async def readline(self):
        """Read one line of the body, line end included (b'' at its end)."""
        reader = self.reader
        line = b''
        while self.remaining:
            if reader.pos >= len(reader.buf):
                data = await self.read(self.remaining)  # one socket read
                if b'\n' in data:
                    i = data.find(b'\n') + 1
                    # what follows the line stays buffered for the next read
                    reader.buf = data[i:] + reader.buf[reader.pos:]
                    reader.pos = 0
                    self.remaining += len(data) - i
                    return line + data[:i]
                line += data
                continue
            end = min(len(reader.buf), reader.pos + self.remaining)
            i = reader.buf.find(b'\n', reader.pos, end)
            stop = i + 1 if i >= 0 else end
            piece = reader.buf[reader.pos:stop]
            reader.pos = stop
            self.remaining -= len(piece)
            line += piece
            if i >= 0:
                break
        return line

    async def drain(self, limit):
        """Discard up to ``limit`` unread bytes; True if the body is done."""
        while self.remaining and limit > 0:
            data = await self.read(min(self.remaining, 1024, limit))
            limit -= len(data)
        return self.remaining == 0


class BytesStream:
    """``request.stream`` for a body that was already read into memory."""

    def __init__(self, data):
        self.data = data
        self.pos = 0

    async def read(self, n=-1):
        end = len(self.data) if n < 0 else self.pos + n
        data = self.data[self.pos:end]
        self.pos += len(data)
        return data

    async def readexactly(self, n):
        if self.pos + n > len(self.data):
            raise EOFError('body is shorter than requested')
        return await self.read(n)

    async def readline(self):
        i = self.data.find(b'\n', self.pos)
        end = len(self.data) if i < 0 else i + 1
        return await self.read(end - self.pos)


_HEX = b'0123456789abcdefABCDEF'


class ChunkedStream(_OnTheWire):
    """A ``Transfer-Encoding: chunked`` request body, decoded on demand.

    ``request.stream`` for chunked bodies over ``Request.max_body_length``
    (smaller ones are read whole by :func:`read_chunked`). At most
    ``limit`` body bytes are accepted (413 past it); a malformed or cut
    short body raises HTTPException 400.
    """

    def __init__(self, reader, limit, max_line):
        self.reader = reader
        self.limit = limit
        self.max_line = max_line
        self.data = b''   # decoded bytes not handed out yet
        self.left = 0     # bytes of the current chunk still on the wire
        self.total = 0    # body bytes decoded so far
        self.started = False
        self.error = None
        #: non-zero until the last chunk and the trailers have been read
        self.remaining = 1

    async def _next_chunk(self):
        """Read a chunk-size line (and the line end before it); at the
        last chunk, the trailers, and mark the body done."""
        if self.error is not None:
            raise self.error  # the body is unusable past a first error
        reader = self.reader
        try:
            try:
                if self.started:
                    line = await reader.read_line(0)  # ends the chunk data
                    if line is None:
                        raise EOFError
                    if reader.bare_lf:
                        raise ValueError
                self.started = True
                line = await reader.read_line(64)
                if line is None:
                    raise EOFError
                # CRLF only: with a bare LF a body line could pass for the
                # end of the body, and the data after it for a request
                if reader.bare_lf:
                    raise ValueError
                digits = line.split(b';')[0].rstrip(b' \t')
                if not digits:
                    raise ValueError
                for c in digits:
                    if c not in _HEX:
                        raise ValueError
                size = int(digits, 16)
                if size == 0:
                    while await reader.read_line(self.max_line):
                        pass  # trailers are ignored
                    self.remaining = 0
            except EOFError:
                raise ProtocolError(400, 'Incomplete body')
            except (ValueError, TypeError):
                raise ProtocolError(400, 'Malformed chunked body')
            self.total += size
            if self.total > self.limit:
                raise ProtocolError(413, 'Payload Too Large')
        except HTTPException as exc:
            self.error = exc  # the connection can not be reused now
            raise
        self.left = size

    async def _read(self, n):
        out = b''
        while n < 0 or len(out) < n:
            if self.data:
                want = len(self.data) if n < 0 else n - len(out)
                out += self.data[:want]
                self.data = self.data[want:]
                continue
            if not self.left:
                if not self.remaining:
                    break
                await self._next_chunk()
                continue
            want = self.left if n < 0 else min(self.left, n - len(out))
            data = await self.reader.read(want)
            if not data:
                raise ProtocolError(400, 'Incomplete body')
            self.left -= len(data)
            out += data
            if n >= 0:
                break  # return what arrived rather than wait for more
        return out

    async def readline(self):
        """Read one line of the body, line end included."""
        line = b''
        while True:
            c = await self.read(1)
            line += c
            if not c or c == b'\n':
                return line

    async def drain(self, limit):
        """Discard up to ``limit`` unread bytes; True if the body is done."""
        try:
            while (self.remaining or self.left or self.data) and limit > 0:
                data = await self.read(min(1024, limit))
                if not data:
                    break
                limit -= len(data)
        except HTTPException:
            return False
        return not (self.remaining or self.left or self.data)


async def read_chunked(reader, limit, max_line, max_body):
    """Read a ``Transfer-Encoding: chunked`` body of at most ``limit`` bytes.

    Returns ``(body, None)`` when it fits in ``max_body`` bytes, else
    ``(b'', stream)``: a :class:`ChunkedStream` that holds what was read
    and decodes the rest on demand.
    """
    stream = ChunkedStream(reader, limit, max_line)
    body = b''
    while True:
        data = await stream.read(max_body + 1 - len(body))
        if not data:
            return body, None
        body = data if not body else body + data
        if len(body) > max_body:
            stream.data = body
            return b'', stream




async def read_line(conn, limit):
    """:meth:`Connection.read_line`: the next line without its line end."""
    while True:
        buf = conn.buf
        pos = conn.pos
        i = buf.find(b'\n', pos)
        if i >= 0:
            crlf = i > pos and buf[i - 1] == 13
            end = i - 1 if crlf else i
            if end - pos > limit:
                raise ValueError('line too long')
            conn.pos = i + 1
            conn.bare_lf = not crlf
            return buf[pos:end]
        if len(buf) - pos > limit + 1:  # + 1: a CR whose LF is on its way
            raise ValueError('line too long')
        if not await conn.fill():
            if conn.pos < len(conn.buf):
                raise EOFError('connection closed mid-line')
            return None


async def readline(conn, limit):
    """:meth:`Connection.readline`: the next line with its line end."""
    while True:
        i = conn.buf.find(b'\n', conn.pos)
        if i >= 0 or len(conn.buf) - conn.pos > limit:
            end = i + 1 if i >= 0 else conn.pos + limit
            line = conn.buf[conn.pos:end]
            conn.pos = end
            return line
        if not await conn.fill():
            line = conn.buf[conn.pos:]
            conn.pos = len(conn.buf)
            return line
