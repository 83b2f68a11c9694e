"""GZip middleware: compress text responses for clients that accept gzip.

    from microdot.compress import GZip

    app = Microdot(middleware=[(GZip, {'minimum_size': 500})])

Compresses with CPython's ``zlib``, or MicroPython's ``deflate`` module
where the firmware can compress (``deflate.DeflateIO`` has ``write``):
``MICROPY_PY_DEFLATE_COMPRESS`` is off by default on the unix, ESP32 and
rp2 ports (it comes with the FULL_FEATURES ROM level, above theirs), so
build the image with ``-DMICROPY_PY_DEFLATE_COMPRESS=1`` to have it. Where
it can not, the middleware passes every response through unchanged. (The
module is not called ``gzip``: inside the package it would hide the
standard library's.)
"""
from .middleware import Middleware, add_vary
from .response import Response

#: Content types worth compressing (prefixes of the type, lower case).
TEXT_TYPES = ('text/', 'application/json', 'application/javascript',
              'application/xml', 'image/svg+xml', 'application/xhtml')


def _cpython_gzip(level, window_bits):
    import zlib

    def compress(data):
        c = zlib.compressobj(level, zlib.DEFLATED, 16 + window_bits)
        return c.compress(data) + c.flush()

    def stream():
        return zlib.compressobj(level, zlib.DEFLATED, 16 + window_bits)
    return compress, stream


def _micropython_gzip(window_bits):
    import deflate
    import io
    if not hasattr(deflate.DeflateIO, 'write'):
        return None, None  # this firmware can only decompress

    def compress(data):
        buf = io.BytesIO()
        d = deflate.DeflateIO(buf, deflate.GZIP, window_bits)
        d.write(data)
        d.close()  # ends the gzip stream; buf stays open
        return buf.getvalue()

    class Sink(io.IOBase):
        """Where DeflateIO writes: keeps the pieces until taken."""

        def __init__(self):
            self.parts = []

        def write(self, data):
            self.parts.append(bytes(data))
            return len(data)

    class Stream:
        """``zlib.compressobj``'s two methods over ``deflate.DeflateIO``."""

        def __init__(self):
            self.sink = Sink()
            self.d = deflate.DeflateIO(self.sink, deflate.GZIP, window_bits)

        def _take(self):
            parts = self.sink.parts
            if not parts:
                return b''
            self.sink.parts = []
            return b''.join(parts)

        def compress(self, data):
            self.d.write(data)
            return self._take()

        def flush(self):
            self.d.close()
            return self._take()
    return compress, Stream


def gzip_compressor(level=6, window_bits=None, streaming=False):
    """A function ``bytes -> gzip bytes`` (with ``streaming``: a factory of
    objects with ``compress(data)`` and ``flush()``, as
    ``zlib.compressobj`` gives), or None where this runtime can not
    compress. ``window_bits`` (8..15) trades RAM for ratio: the default is
    15 on CPython, 10 (a 1 KB window) on MicroPython."""
    import sys
    if sys.implementation.name != 'micropython':
        pair = _cpython_gzip(level, window_bits or 15)
    else:
        try:  # (micropython-lib's zlib shim has no compressobj: not used)
            pair = _micropython_gzip(window_bits or 10)
        except ImportError:
            return None
    return pair[1] if streaming else pair[0]


class _GzipBody:
    """The gzip-compressed pieces of a streamed body (an async iterator)."""

    def __init__(self, it, compressor):
        self.it = it
        self.c = compressor
        self.done = False

    def __aiter__(self):
        return self

    async def __anext__(self):
        while not self.done:
            try:
                piece = await self.it.__anext__()
            except StopAsyncIteration:
                self.done = True
                return self.c.flush()  # never empty: the gzip trailer
            out = self.c.compress(piece)
            if out:
                return out
        raise StopAsyncIteration

    async def aclose(self):
        await self.it.aclose()


def accepts_gzip(header):
    """Whether an ``Accept-Encoding`` value allows gzip (``q=0`` refuses)."""
    if not header:
        return False
    star = False
    for item in header.split(','):
        coding, _, params = item.partition(';')
        coding = coding.strip().lower()
        if coding not in ('gzip', 'x-gzip', '*'):
            continue
        q = 1.0
        params = params.strip()
        if params[:2].lower() == 'q=':
            try:
                q = float(params[2:])
            except ValueError:
                q = 0
        if coding == '*':
            star = q > 0
        else:
            return q > 0
    return star


class GZip(Middleware):
    """Compress text-like bodies (:data:`TEXT_TYPES`, or
    ``content_types``) when the request's ``Accept-Encoding`` allows gzip:
    bodies in memory of ``minimum_size`` bytes or more, and streamed ones
    (generators, files) unless their ``Content-Length`` is below it or
    ``streams`` is False. Adds ``Content-Encoding: gzip`` and ``Vary:
    Accept-Encoding``; a strong ``ETag`` becomes weak; a streamed body
    loses its ``Content-Length`` (it goes out chunked). Event streams
    (``text/event-stream``, each event must go out at once) and responses
    that are already encoded, partial (206) or marked ``Cache-Control:
    no-transform`` pass through unchanged.

    ``compresslevel`` (1-9) applies on CPython; ``window_bits`` is the
    deflate window (see :func:`gzip_compressor`).
    """

    def __init__(self, next_handler, minimum_size=500, compresslevel=6,
                 window_bits=None, content_types=TEXT_TYPES, streams=True):
        super().__init__(next_handler)
        self.minimum_size = minimum_size
        self.content_types = tuple(content_types)
        self.compress = gzip_compressor(compresslevel, window_bits)
        self.streams = gzip_compressor(compresslevel, window_bits, True) \
            if streams else None

    def compressible(self, res):
        """Whether ``res`` is worth compressing (regardless of the client)."""
        status = res.status_code
        if status < 200 or status in (204, 206, 304):
            return False
        headers = res.headers
        body = res.body
        if isinstance(body, bytes):
            if len(body) < self.minimum_size:
                return False
        elif self.streams is None:
            return False
        else:
            length = headers.get('Content-Length')
            if length is not None and length.isdigit() and \
                    int(length) < self.minimum_size:
                return False
        if 'Content-Encoding' in headers or 'Content-Range' in headers:
            return False
        ctype = (headers.get('Content-Type') or res._ctype or
                 type(res).default_content_type).lower()
        if not ctype.startswith(self.content_types) or \
                ctype.startswith('text/event-stream'):
            return False
        cache = headers.get('Cache-Control')
        return not (cache and 'no-transform' in cache.lower())

    async def __call__(self, request):
        res = await self.next_handler(request)
        if self.compress is None or res is Response.already_handled or \
                not self.compressible(res):
            return res
        add_vary(res, 'Accept-Encoding')
        if not accepts_gzip(request.headers.get('Accept-Encoding')):
            return res
        headers = res.headers
        if isinstance(res.body, bytes):
            res.body = self.compress(res.body)
            if 'Content-Length' in headers:
                headers['Content-Length'] = str(len(res.body))
        else:
            res.body = _GzipBody(res.body_iter(), self.streams())
            if 'Content-Length' in headers:
                del headers['Content-Length']
        headers['Content-Encoding'] = 'gzip'
        etag = headers.get('ETag')
        if etag and not etag.startswith('W/'):
            headers['ETag'] = 'W/' + etag
        return res
