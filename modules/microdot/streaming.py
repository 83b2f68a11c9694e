"""Streamed response bodies and files (imported on first use).

Kept out of the core import so an app that only returns small bodies does
not pay for it in RAM.
"""


class _Chunks:
    """Adapts a body (file, sync iterable, async iterator) to ``async for``."""

    def __init__(self, body, size):
        self.body = body
        self.size = size
        self.it = None

    def __aiter__(self):
        return self

    async def __anext__(self):
        body = self.body
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


async def close_body(body):
    """Close a generator, async generator or file once it is done with."""
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
    as one chunk; otherwise pieces are written as they are. The deadline of
    ``conn`` (the server's connection record) is under the write timeout
    while a piece is being written, and under none while the application
    makes the next piece: the timeout covers each write, not the whole
    stream nor the gaps between pieces (an event stream may last for hours
    and send one event a minute).
    """
    body = response.body
    chunked = response.headers.get('Transfer-Encoding') == 'chunked'
    stream.write(response.head_bytes(version))
    await stream.drain()
    try:
        if response.is_head:
            return
        if conn is not None:
            conn.handling()
        async for chunk in _Chunks(body, response.send_file_buffer_size):
            if isinstance(chunk, str):
                chunk = chunk.encode()
            if not chunk:
                continue
            if chunked:
                stream.write(b'%x\r\n' % len(chunk) + chunk + b'\r\n')
            else:
                stream.write(chunk)
            if conn is not None:
                conn.busy()
            await stream.drain()
            if conn is not None:
                conn.handling()
        if chunked:
            if conn is not None:
                conn.busy()
            stream.write(b'0\r\n\r\n')
            await stream.drain()
    finally:
        await close_body(body)


def send_file(cls, filename, status_code, content_type, stream, max_age,
              compressed, file_extension):
    """The body of :meth:`Response.send_file`."""
    if content_type is None:
        name = filename
        if compressed and name.endswith('.gz'):
            name = name[:-3]  # app.js.gz is served as app.js
        ext = name.rpartition('.')[2].lower()
        content_type = cls.types_map.get(ext, 'application/octet-stream')
        if content_type.startswith('text/'):
            content_type += '; charset=UTF-8'
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
            return cls('Not Found', 404)
        headers['Content-Length'] = str(size)
    return cls(body=stream, status_code=status_code, headers=headers)
