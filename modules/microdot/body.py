"""Request bodies read as streams, and chunked request bodies.

Imported on first use: most requests carry small bodies read in one go.
"""
from .request import HTTPException, ConnectionReader


class BodyStream:
    """The body of a large request, read on demand (``request.stream``)."""

    def __init__(self, reader, length):
        self.reader = reader
        self.remaining = length

    async def read(self, n=-1):
        """Read up to ``n`` bytes of the body (all of it when ``n`` < 0)."""
        if n < 0 or n > self.remaining:
            n = self.remaining
        if n == 0:
            return b''
        if n == self.remaining and n > ConnectionReader.chunk_size:
            data = await self.reader.readexactly(n)
        else:
            data = await self.reader.read(n)
            if not data:
                raise EOFError('connection closed mid-body')
        self.remaining -= len(data)
        return data

    async def readexactly(self, n):
        if n > self.remaining:
            raise EOFError('body is shorter than requested')
        data = await self.reader.readexactly(n)
        self.remaining -= n
        return data

    async def readline(self):
        """Read one line of the body, line end included."""
        line = b''
        while self.remaining:
            c = await self.read(1)
            line += c
            if c == b'\n':
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


async def read_chunked(reader, limit, max_line):
    """Read a ``Transfer-Encoding: chunked`` body of at most ``limit`` bytes."""
    body = b''
    while True:
        try:
            line = await readline(reader, 64)
            size = int(line.split(b';')[0].strip(), 16)
        except (ValueError, AttributeError, TypeError):
            raise HTTPException(400, 'Malformed chunked body')
        except EOFError:
            raise HTTPException(400, 'Incomplete body')
        if len(body) + size > limit:
            raise HTTPException(413, 'Payload Too Large')
        try:
            if size == 0:
                while await readline(reader, max_line):
                    pass  # trailers are ignored
                return body
            body += await reader.readexactly(size)
            if await readline(reader, 0) != b'':
                raise HTTPException(400, 'Malformed chunked body')
        except (EOFError, ValueError):
            raise HTTPException(400, 'Incomplete body')


async def readline(reader, limit):
    """Return the next line without its line end.

    None when the stream ends before any byte of a line. Raises
    ValueError when a line exceeds ``limit`` bytes and EOFError when
    the stream ends in the middle of a line.
    """
    while True:
        buf = reader.buf
        pos = reader.pos
        i = buf.find(b'\n', pos)
        if i >= 0:
            end = i - 1 if i > pos and buf[i - 1] == 13 else i
            if end - pos > limit:
                raise ValueError('line too long')
            reader.pos = i + 1
            return buf[pos:end]
        if len(buf) - pos > limit:
            raise ValueError('line too long')
        if not await reader._fill():
            if reader.pos < len(reader.buf):
                raise EOFError('connection closed mid-line')
            return None
