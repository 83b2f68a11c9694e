"""The HTTP response: building it from a handler's return value, writing it."""
import json

from .structures import NoCaseDict
from .helpers import MICROPYTHON, add_methods

def reason_phrase(status_code):
    """The standard phrase of an HTTP status code ('N/A' if unknown)."""
    if status_code == 200:
        return 'OK'
    # the table is loaded with the first other status (~800 bytes of heap
    # a board serving only 200s never holds)
    from .reasons import reason_phrase
    return reason_phrase(status_code)


# what write() returns when nothing is left to wait for: MicroPython awaits
# an exhausted iterator at once, with no allocation
_SENT = iter(())
_heads = {}  # Content-Type -> {status: b'HTTP/1.1 ... Content-Length: '}
_type_cache = [None, None]  # default_content_type -> header value


def _default_type(cls):
    """The Content-Type for str bodies that set none (with a charset)."""
    ctype = cls.default_content_type
    if _type_cache[0] != ctype:
        value = ctype
        if 'charset=' not in ctype:
            value += '; charset=UTF-8'
        _type_cache[0] = ctype
        _type_cache[1] = value
    return _type_cache[1]


class Response:
    """An HTTP response.

    ``body`` may be ``str`` or ``bytes``; a ``dict`` or ``list`` (sent as
    JSON); a generator, an iterable or an async iterator (streamed, chunk
    by chunk); or a file-like object with ``read()``. ``headers`` is a dict
    of extra headers; a list value sends the header once per item.
    """

    #: Content type used when a response does not set one.
    default_content_type = 'text/plain'
    #: ``max_age`` used by :meth:`send_file` when none is given.
    default_send_file_max_age = None
    #: Size of the reads :meth:`send_file` streams a file with.
    send_file_buffer_size = 1024
    #: File extension to content type, for :meth:`send_file`: the app's
    #: additions and overrides (``Response.types_map['wasm'] =
    #: 'application/wasm'``), looked up before the built-in table (css, gif,
    #: html, ico, jpg, js, json, png, svg, txt: see
    #: :func:`microdot.streaming.guess_type`).
    types_map = {}
    #: Returned by a handler that already wrote its own response on the
    #: connection (WebSocket does this); nothing more is written.
    already_handled = None

    def __init__(self, body='', status_code=200, headers=None, reason=None):
        if body is None and status_code == 200:
            body = ''
            status_code = 204
        self.status_code = status_code
        if reason is not None:
            self.reason = reason
        if isinstance(body, str):
            body = body.encode()
        elif isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            self._ctype = 'application/json; charset=UTF-8'
        elif body is None:
            body = b''
        else:
            # bytes, a stream or a file: the default type without charset
            self._ctype = type(self).default_content_type
        self.body = body
        if headers:
            self._headers = h = NoCaseDict(headers)
            if self._ctype and 'Content-Type' not in h:
                h['Content-Type'] = self._ctype

    # Defaults that most responses keep: class attributes cost no RAM per
    # response, and neither does the headers dict until someone asks for it.
    _ctype = None
    _connection = None  # the Connection header, while there is no dict
    _vary = None  # the Vary header, while there is no dict
    # the headers dict, once made: `_headers is None` tells a response that
    # has none without a `__dict__` look-up (64 bytes of heap each)
    _headers = None
    reason = None
    is_head = False

    @property
    def headers(self):
        """The response headers, a :class:`NoCaseDict` (made on first use:
        most responses are sent without one)."""
        h = self._headers
        if h is None:
            h = self._headers = NoCaseDict()
            if self._ctype:
                h['Content-Type'] = self._ctype
            if self._connection:
                h['Connection'] = self._connection
            if self._vary:
                h['Vary'] = self._vary
        return h

    @headers.setter
    def headers(self, value):
        self._headers = value

    def __getattr__(self, name):
        # set_cookie() and delete_cookie() are in microdot.cookies,
        # body_iter() in microdot.streaming: added to the class on first use
        # (only MicroPython gets here: see microdot.helpers.add_methods)
        if name == 'set_cookie' or name == 'delete_cookie':
            from .cookies import CookieMethods as extras
        elif name == 'body_iter':
            from .streaming import StreamingMethods as extras
        else:
            raise AttributeError(name)
        add_methods(Response, extras)
        return getattr(self, name)

    def complete(self):
        """Fill in the headers the body implies: ``Content-Type`` and, for
        a body in memory, ``Content-Length``. Afterwards ``headers`` holds
        them like any other header (after-request hooks see them)."""
        headers = self.headers
        body = self.body
        if self.status_code in (204, 304):
            return  # 204 and 304 have no body, so neither header (RFC 9110)
        if isinstance(body, bytes) and 'Content-Length' not in headers:
            headers['Content-Length'] = str(len(body))
        if 'Content-Type' not in headers:
            headers['Content-Type'] = self._ctype or _default_type(type(self))

    def framing(self, http_version, keep_alive):
        """Decide how the body is delimited on the wire, and whether the
        connection can stay open after it; returns the latter.

        A body of known length has ``Content-Length``; a streamed one goes
        out chunked to an HTTP/1.1 client, or delimited by closing the
        connection otherwise. ``Connection: close`` set by the app closes
        it too. The one place the socket server and the test client take
        framing from (ASGI and WSGI servers frame bodies themselves: they
        take the headers from :meth:`complete` and the pieces from
        :meth:`body_iter`).
        """
        headers = self._headers
        if not isinstance(self.body, bytes) and \
                (headers is None or 'Content-Length' not in headers):
            if http_version == '1.1' and not self.is_head:
                self.headers['Transfer-Encoding'] = 'chunked'
            else:
                keep_alive = False
        if keep_alive and headers is not None:
            value = headers.get('Connection')
            if value is not None and value.lower() == 'close':
                keep_alive = False
        value = 'close' if not keep_alive else \
            'keep-alive' if http_version == '1.0' else None
        if value is not None:
            if headers is None and isinstance(self.body, bytes):
                self._connection = value  # keeps the one-piece head
            else:
                self.headers['Connection'] = value
        return keep_alive

    def head_bytes(self, version='1.1', plain=None):
        """The status line and headers, as bytes ready to send.

        ``plain``: whether the response has no headers dict and a status
        with a body, when the caller knows."""
        if plain is None:
            plain = self._headers is None and \
                self.status_code not in (204, 304)
        if plain and isinstance(self.body, bytes):
            return b'%s%d\r\n\r\n' % (self._prefix(version), len(self.body))
        status = self.status_code
        reason = self.reason
        if reason is None:
            reason = reason_phrase(status)
        self.complete()
        headers = self.headers
        lines = ['HTTP/%s %d %s\r\n' % (version, status, reason)]
        for name, value in headers.items():
            for item in value if isinstance(value, list) else (value,):
                if not isinstance(item, str):
                    item = str(item)
                if '\n' in item or '\r' in item:
                    # a line break in a header would let data from a request
                    # (a redirect target, a cookie) inject headers or a body
                    item = item.replace('\r', ' ').replace('\n', ' ')
                lines.append(name)
                lines.append(': ')
                lines.append(item)
                lines.append('\r\n')
        lines.append('\r\n')
        return ''.join(lines).encode()

    def write(self, stream, version='1.1', conn=None):
        """Write the whole response to ``stream``: an asyncio stream, a
        :class:`~microdot.connection.Connection`, or a stream with only
        MicroPython's ``awrite()``. Returns an awaitable: ``await
        res.write(stream)``.

        A streamed body goes out with chunked transfer encoding when the
        headers say so (see :meth:`framing`). ``conn`` (the server's
        connection) puts each write of a streamed body under the request
        timeout.
        """
        # not a coroutine itself: a body in memory is written here and only
        # the drain is awaited, and a streamed one is written by the
        # awaitable returned, so no frame of this method is held while a
        # stream lasts (160 bytes per open event stream on MicroPython), nor
        # allocated per response
        body = self.body
        if isinstance(body, bytes) and hasattr(stream, 'drain'):
            plain = self._headers is None and \
                self.status_code not in (204, 304)
            if self.is_head or not body or len(body) > 1460:
                data = self.head_bytes(version, plain)
            elif plain:
                # one segment: a separate small write would meet Nagle's
                # algorithm and the client's delayed ACK (40 ms stalls)
                data = b'%s%d\r\n\r\n%s' % (self._prefix(version),
                                              len(body), body)
            else:
                data = self.head_bytes(version, False) + body
            stream.write(data)
            if data is not body and len(body) > 1460 and not self.is_head:
                stream.write(body)  # no copy of a large body
            # MicroPython's stream sends at once when it can: drain() would
            # only cost a coroutine when nothing is left buffered
            if getattr(stream, 'out_buf', True) or not MICROPYTHON:
                return stream.drain()
            return _SENT
        # a stream, or a stream with only awrite()
        from .streaming import write_streamed
        return write_streamed(self, stream, version, conn)

    def _prefix(self, version):
        """The head of a response with no headers dict, up to the value of
        Content-Length, as bytes; cached for the usual HTTP/1.1 replies."""
        status = self.status_code
        ctype = self._ctype or _default_type(type(self))
        cacheable = self.reason is None and version == '1.1'
        if cacheable:
            heads = _heads.get(ctype)
            if heads is None:
                if len(_heads) >= 8:
                    _heads.clear()
                heads = _heads[ctype] = {}
            key = status
            if self._connection:
                key += 1000 if self._connection == 'close' else 2000
            if self._vary:
                # one more level, keyed by the Vary value: a tuple key would
                # be allocated on every request
                inner = heads.get(self._vary)
                if inner is None:
                    inner = heads[self._vary] = {}
                heads = inner
            prefix = heads.get(key)
            if prefix is not None:
                return prefix
        reason = self.reason
        if reason is None:
            reason = reason_phrase(status)
        lines = 'Connection: ' + self._connection + '\r\n' \
            if self._connection else ''
        if self._vary:
            lines += 'Vary: ' + self._vary + '\r\n'
        prefix = ('HTTP/%s %d %s\r\n%sContent-Type: %s\r\nContent-Length: '
                  % (version, status, reason, lines, ctype)).encode()
        if cacheable:
            heads[key] = prefix
        return prefix

    @classmethod
    def redirect(cls, location, status_code=302):
        """A response that sends the client to ``location``."""
        if '\x0d' in location or '\x0a' in location:
            raise ValueError('invalid redirect URL')
        return cls(status_code=status_code, headers={'Location': location})

    @classmethod
    def send_file(cls, filename, status_code=200, content_type=None,
                  stream=None, max_age=None, compressed=False,
                  file_extension=''):
        """A response that streams a file.

        ``content_type`` is guessed from the extension of ``filename`` when
        not given; ``stream`` is an open file-like object to send instead of
        opening ``filename``; ``max_age`` sets ``Cache-Control`` (seconds);
        ``compressed`` (True for gzip, or an encoding name) sets
        ``Content-Encoding``; ``file_extension`` is appended to ``filename``
        when the file is opened (``'.gz'`` to serve ``app.js.gz`` as
        ``app.js``). A missing file raises
        HTTPException 404 (the app's ``errorhandler(404)`` answers).
        """
        from .streaming import send_file
        return send_file(cls, filename, status_code, content_type, stream,
                         max_age, compressed, file_extension)


if not MICROPYTHON:
    from .cookies import CookieMethods
    from .streaming import StreamingMethods
    add_methods(Response, CookieMethods)
    add_methods(Response, StreamingMethods)
