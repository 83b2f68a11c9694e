"""The methods of :class:`~microdot.connection.Connection` the core does
not call on a plain request: line reads, ``read_idle()``, ``write()``,
``drain()``, ``awrite()``, ``aclose()``, ``close()``, ``wait_closed()``,
``get_extra_info()`` and ``linger()``.

Extensions use them on ``request.sock`` like any other method. A
MicroPython module keeps every function it defines in RAM, called or not,
so they are defined here and added to the class on first use by its
``__getattr__`` (on CPython when :mod:`microdot.connection` is imported): a
board serving plain requests does not hold them (with the cookie methods
moved the same way, 860 bytes of heap).
"""


class ConnectionExtras:
    """The methods above, copied into
    :class:`~microdot.connection.Connection`."""

    def read_idle(self, n):
        """An awaitable for up to ``n`` bytes, as :meth:`read`. When nothing
        is buffered it is the stream's own read, so a long wait (a WebSocket
        waiting for its next frame) holds no coroutine frame of ours: ~260
        bytes less per open connection on MicroPython."""
        if self.pos >= len(self.buf):
            self.buf = b''  # what was read is not held while waiting
            self.pos = 0
            return self.stream.read(n)
        return self.read(n)

    async def read_line(self, limit):
        """Return the next line without its line end (CRLF or LF).

        None when the stream ends before any byte of a line. Raises
        ValueError when a line exceeds ``limit`` bytes and EOFError when
        the stream ends in the middle of a line. ``bare_lf`` is True
        afterwards if the line ended in a bare LF.
        """
        from .body import read_line
        return await read_line(self, limit)

    async def readline(self, limit=64 * 1024):
        """Return the next line with its line end, as asyncio streams do
        (b'' at the end of the stream, the partial line if it ends in
        one). At most ``limit`` bytes are buffered looking for the end."""
        from .body import readline
        return await readline(self, limit)

    async def awrite(self, data):
        """Write ``data`` and wait until it is sent."""
        self.writer.write(data)
        await self.drain()

    def close(self):
        """Close the connection."""
        self.writer.close()

    async def wait_closed(self):
        await self.writer.wait_closed()

    def get_extra_info(self, name, default=None):
        """As asyncio's ``StreamWriter.get_extra_info`` (``'peername'``)."""
        try:
            return self.writer.get_extra_info(name)
        except Exception:
            return default

    async def linger(self):
        """Read and drop what a client still sends after an error response,
        for a short while, before the connection closes (see
        :func:`microdot.errors.linger`)."""
        from .errors import linger
        await linger(self)

    def write(self, data):
        """Queue ``data`` for the client (send it with :meth:`drain`)."""
        self.writer.write(data)

    async def drain(self):
        """Wait until queued data is sent."""
        writer = self.writer
        # MicroPython's stream sends at once when it can: drain() would only
        # cost a coroutine when nothing is left in its buffer
        if getattr(writer, 'out_buf', True):
            await writer.drain()

    async def aclose(self):
        """Close the connection and wait until it is closed."""
        try:
            self.writer.close()
            await self.writer.wait_closed()
        except Exception:
            pass  # closing a connection the client already dropped
