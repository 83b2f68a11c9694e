"""Streamed response bodies and files (imported on first use).

Kept out of the core import so an app that only returns small bodies does
not pay for it in RAM.
"""


class StreamingMethods:
    """The method of :class:`~microdot.Response` defined here, copied into
    it (see :func:`microdot.helpers.add_methods`)."""

    def body_iter(self):
        """The body as an async iterator of bytes pieces, unframed (no
        chunked encoding). ``await it.aclose()`` closes a generator or
        file body that is not read to its end.

        A body whose ``ready_pieces`` attribute is true (an SSE stream) is
        already such an iterator, of non-empty bytes, with ``aclose()``:
        it is returned as it is, so waiting for its next piece holds no
        wrapper (352 bytes per open event stream on MicroPython)."""
        body = self.body
        if getattr(body, 'ready_pieces', False):
            return body
        return BodyIterator(body, self.send_file_buffer_size)


class BodyIterator:
    """The body of a response as an async iterator of bytes pieces.

    What :meth:`Response.body_iter` returns: bytes and str bodies are one
    piece; files are read ``size`` bytes at a time; sync iterables,
    generators and async iterators give their items (str items encoded).
    Empty pieces are skipped. :meth:`aclose` closes the generator or file
    (also when the client went away before the end).
    """

    def __init__(self, body, size):
        self.body = body
        self.size = size
        self.it = None

    def __aiter__(self):
        return self

    async def __anext__(self):
        while True:
            chunk = await self._next()
            if isinstance(chunk, str):
                chunk = chunk.encode()
            if chunk:
                return chunk

    async def _next(self):
        body = self.body
        if isinstance(body, (bytes, bytearray, memoryview)):
            self.body = None
            return body
        if body is None:
            raise StopAsyncIteration
        if hasattr(body, 'read'):
            data = body.read(self.size)
            if not data:
                raise StopAsyncIteration
            return data
        it = self.it
        if it is None:
            if hasattr(body, '__aiter__'):
                it = body.__aiter__()
            elif hasattr(body, '__anext__'):
                it = body
            else:
                it = iter(body)
            self.it = it
        if hasattr(it, '__anext__'):
            return await it.__anext__()
        try:
            return next(it)
        except StopIteration:
            raise StopAsyncIteration

    def immediate(self):
        """Whether the first piece is at hand without waiting on the app
        (a file or a sync iterable), so the head can go out with it."""
        body = self.body
        return hasattr(body, 'read') or not (hasattr(body, '__aiter__') or
                                             hasattr(body, '__anext__'))

    async def aclose(self):
        """Close a generator, async generator or file once done with."""
        body = self.body
        self.body = None
        if body is None or isinstance(body, (bytes, str)):
            return
        try:
            if hasattr(body, 'aclose'):
                await body.aclose()
            elif hasattr(body, 'close'):
                body.close()
        except Exception:
            pass


async def write_streamed(response, stream, version, conn):
    """Write a response whose body is a stream, iterator or file.

    With ``Transfer-Encoding: chunked`` in the headers each piece goes out
    as one chunk; otherwise pieces are written as they are. The head goes
    out with the first piece when that one is at hand at once (files, sync
    iterables): one segment instead of two small ones. ``conn`` (the
    server's :class:`~microdot.connection.Connection`) is under the write
    timeout while a piece is being written, and under none while the
    application makes the next piece: the timeout covers each write, not
    the whole stream nor the gaps between pieces (an event stream may last
    for hours and send one event a minute).
    """
    chunked = response.headers.get('Transfer-Encoding') == 'chunked'
    head = response.head_bytes(version)
    body = response.body
    if not chunked and not response.is_head and hasattr(body, 'readinto') \
            and getattr(stream, 'out_buf', None) is not None:
        await _send_file(body, stream, head, response.send_file_buffer_size)
        return
    it = response.body_iter()
    # a body iterated as it is (an SSE stream) is async: its first piece
    # is never at hand at once
    immediate = it is not body and it.immediate()
    is_head = response.is_head
    response = body = None  # not held while the stream lasts: its headers
    try:
        if is_head:
            await _send(stream, head)
            return
        if not immediate:
            await _send(stream, head)  # the client sees the reply start
            head = None
        if conn is not None:
            conn.handling()
        async for chunk in it:
            if chunked:
                chunk = b'%x\r\n' % len(chunk) + chunk + b'\r\n'
            if head is not None:
                chunk = head + chunk
                head = None
            if conn is not None:
                conn.busy()
            await _send(stream, chunk)
            if conn is not None:
                conn.handling()
        if conn is not None:
            conn.busy()
        if head is not None or chunked:
            await _send(stream, (head or b'') + (b'0\r\n\r\n' if chunked
                                                  else b''))
    finally:
        await it.aclose()


async def _send_file(body, stream, head, size):
    """A file of known length to a MicroPython stream, through one buffer
    used for every piece, the head going out with the first: its write()
    copies what the socket does not take at once, so the buffer can be
    refilled. No piece is allocated (a 64 KB heap has room for a 20 KB
    file next to the app only this way: a 1 KB read and its concatenation
    with the head need two more free blocks at once). The buffer is kept for
    the next file: after hours of requests a small heap may no longer have
    a free block of that size, though it has the bytes."""
    buf = _spare.pop() if _spare else None
    if buf is None or len(buf) != size:
        buf = bytearray(size)
    view = memoryview(buf)
    n = len(head)
    try:
        if n > size // 2:
            await _send(stream, head)  # many headers: the head on its own
            n = 0
        else:
            view[:n] = head
        while True:
            got = body.readinto(view[n:]) or 0
            n += got
            if n:
                stream.write(view[:n])
                if stream.out_buf:
                    await stream.drain()
            if not got:
                return
            n = 0
    finally:
        body.close()
        if not _spare:
            _spare.append(buf)


_spare = []  # the buffer of the last file sent, for the next one


async def _send(stream, data):
    """Write ``data`` to an asyncio stream, a Connection, or a stream that
    only has MicroPython's ``awrite()``."""
    if hasattr(stream, 'drain'):
        stream.write(data)
        if getattr(stream, 'out_buf', True):
            await stream.drain()
    else:
        await stream.awrite(data)


# The built-in extensions and types, as one string: a dict of them would
# hold 15 names and 4 long strings on a board (~700 bytes of heap). Every
# type has a '/', so a look-up of " ext " only finds extensions.
_TYPES = ' css text/css gif image/gif html text/html ico image/x-icon' \
    ' jpg image/jpeg js application/javascript json application/json' \
    ' png image/png svg image/svg+xml txt text/plain '


def guess_type(cls, filename):
    """The content type for a file name, from its extension: the app's
    ``cls.types_map`` first, then the built-in table, else
    ``application/octet-stream``."""
    ext = filename.rpartition('.')[2].lower()
    ctype = cls.types_map.get(ext)
    if ctype is None:
        i = _TYPES.find(' ' + ext + ' ') if ext and ' ' not in ext and \
            '/' not in ext else -1
        if i < 0:
            return 'application/octet-stream'
        i += len(ext) + 2
        ctype = _TYPES[i:_TYPES.index(' ', i)]
    return ctype


def send_file(cls, filename, status_code, content_type, stream, max_age,
              compressed, file_extension):
    """The body of :meth:`Response.send_file`."""
    if content_type is None:
        name = filename
        if compressed and name.endswith('.gz'):
            name = name[:-3]  # app.js.gz is served as app.js
        content_type = guess_type(cls, name)
    headers = {'Content-Type': content_type}
    if max_age is None:
        max_age = cls.default_send_file_max_age
    if max_age is not None:
        headers['Cache-Control'] = 'max-age=' + str(max_age)
    if compressed:
        headers['Content-Encoding'] = \
            compressed if isinstance(compressed, str) else 'gzip'
    if stream is None:
        import os
        path = filename + file_extension
        try:
            size = os.stat(path)[6]
            if os.stat(path)[0] & 0o170000 == 0o040000:  # a directory
                raise OSError(21)
            stream = open(path, 'rb')
        except OSError:
            # the app's errorhandler(404) answers, as for any 404
            from .exceptions import HTTPException
            raise HTTPException(404)
        headers['Content-Length'] = str(size)
    return cls(body=stream, status_code=status_code, headers=headers)
