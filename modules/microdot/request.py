"""The HTTP request: reading it off a connection and the Request object."""
import json

from .structures import NoCaseDict, parse_urlencoded, urldecode_str


class HTTPException(Exception):
    """Raise to end a request with ``status_code`` (see :func:`abort`)."""

    def __init__(self, status_code, reason=None):
        super().__init__(status_code, reason)
        self.status_code = status_code
        self.reason = reason

    def __repr__(self):
        return 'HTTPException: %d' % self.status_code


def abort(status_code, reason=None):
    """Stop handling the request and respond with ``status_code``.

    ``reason`` becomes the response body (the standard phrase if omitted).
    Error handlers registered for the status code still apply.
    """
    raise HTTPException(status_code, reason)


class ConnectionReader:
    """A buffered reader over an asyncio stream.

    It reads in chunks (one socket read usually brings the whole request
    head) and hands out lines and exact byte counts. Lines are bounded, so a
    client can not make the server buffer an endless line. Bytes past the
    current request stay buffered for the next one (pipelining).
    """

    chunk_size = 1024
    #: called once the request line of a request has arrived
    started = None

    def __init__(self, stream):
        self.stream = stream
        self.buf = b''
        self.pos = 0

    async def _fill(self):
        data = await self.stream.read(self.chunk_size)
        if not data:
            return False
        buf = self.buf
        self.buf = (buf[self.pos:] + data) if self.pos < len(buf) else data
        self.pos = 0
        return True

    async def readline(self, limit):
        """Return the next line without its line end.

        None when the stream ends before any byte of a line. Raises
        ValueError when a line exceeds ``limit`` bytes and EOFError when
        the stream ends in the middle of a line.
        """
        while True:
            buf = self.buf
            pos = self.pos
            i = buf.find(b'\n', pos)
            if i >= 0:
                end = i - 1 if i > pos and buf[i - 1] == 13 else i
                if end - pos > limit:
                    raise ValueError('line too long')
                self.pos = i + 1
                return buf[pos:end]
            if len(buf) - pos > limit:
                raise ValueError('line too long')
            if not await self._fill():
                if self.pos < len(self.buf):
                    raise EOFError('connection closed mid-line')
                return None

    async def read(self, n):
        """Return up to ``n`` bytes (fewer at the end of the stream)."""
        if self.pos >= len(self.buf):
            if n > self.chunk_size:
                return await self.stream.read(n)
            if not await self._fill():
                return b''
        data = self.buf[self.pos:self.pos + n]
        self.pos += len(data)
        return data

    async def readexactly(self, n):
        """Return exactly ``n`` bytes; EOFError if the stream ends first."""
        data = b''
        while len(data) < n:
            chunk = await self.read(n - len(data))
            if not chunk:
                raise EOFError('connection closed mid-body')
            data = chunk if not data else data + chunk
        return data


def parse_request_line(line):
    """Split ``b'GET /x HTTP/1.1'`` into ``('GET', '/x', '1.1')``.

    Raises HTTPException 400 for a malformed line, 505 for a protocol
    version other than HTTP/1.x.
    """
    parts = line.split(b' ')
    if len(parts) != 3 or not parts[0] or not parts[1]:
        raise HTTPException(400, 'Malformed request line')
    method, url, version = parts
    if version != b'HTTP/1.1' and version != b'HTTP/1.0':
        if len(version) == 8 and version.startswith(b'HTTP/') and \
                version[5:6].isdigit() and version[6] == 46 and \
                version[7:].isdigit():
            raise HTTPException(505, 'HTTP Version Not Supported')
        raise HTTPException(400, 'Malformed request line')
    try:
        method = method.decode()
        url = url.decode()
    except UnicodeError:
        raise HTTPException(400, 'Malformed request line')
    if not method.isupper() and not method.isalpha():
        raise HTTPException(400, 'Malformed method')
    if url[0] != '/':
        # absolute-form ("http://host/path") is allowed, as is "OPTIONS *"
        if url.startswith('http://') or url.startswith('https://'):
            i = url.find('/', url.find('//') + 2)
            url = url[i:] if i >= 0 else '/'
        elif url != '*':
            raise HTTPException(400, 'Malformed URL')
    return method, url, version[5:].decode()


class Request:
    """An HTTP request, as handlers, hooks and error handlers receive it.

    Attributes: ``app``, ``client_addr`` (host, port), ``method``, ``url``,
    ``path`` (percent-decoded), ``query_string``, ``http_version``,
    ``headers`` (a :class:`NoCaseDict`), ``scheme``, ``url_prefix`` and
    ``subapp`` (for routes of a mounted app), ``route`` (the handler that
    matched), and the lazily computed ``args``, ``cookies``, ``json``,
    ``form``, ``body``, ``stream``, ``content_type``, ``content_length``
    and ``g``.
    """

    #: Largest accepted body in bytes; larger requests get a 413.
    max_content_length = 16 * 1024
    #: Largest body loaded into ``body``; larger ones only via ``stream``.
    max_body_length = 16 * 1024
    #: Largest request line or header line in bytes (414 / 431 past it).
    max_readline = 2 * 1024
    #: Most header lines a request may carry (431 past it).
    max_headers = 64

    class G:
        """A namespace for data shared by the handlers of one request."""
        pass

    def __init__(self, app, client_addr, method, url, http_version, headers,
                 body=None, stream=None, sock=None, url_prefix='',
                 subapp=None, scheme=None, route=None):
        self.app = app
        self.client_addr = client_addr
        self.method = method
        self.url = url
        self.http_version = http_version
        self.headers = headers
        self.sock = sock
        self.url_prefix = url_prefix
        self.subapp = subapp
        self.scheme = scheme or 'http'
        self.route = route
        path, _, self.query_string = url.partition('?')
        self.path = urldecode_str(path) if '%' in path else path
        self.body = self._body = body or b''
        self._stream = stream  # a body left on the connection, if any
        if stream is not None:
            self.stream = stream
        self._after = None
        self.files = None
        length = headers.get('Content-Length')
        self.content_length = int(length) if length else 0
        self.content_type = headers.get('Content-Type')
        conn = headers.get('Connection')
        if http_version == '1.0':
            self.keep_alive = conn is not None and \
                conn.lower() == 'keep-alive'
        else:
            self.keep_alive = conn is None or 'close' not in conn.lower()

    @staticmethod
    async def create(app, client_reader, client_writer, client_addr,
                     scheme=None):
        """Read one request off a connection and return it.

        Returns None when the client closed the connection before sending
        anything. Raises :class:`HTTPException` (400, 413, 414, 431, 505)
        for a request that can not be served.
        """
        reader = client_reader
        if not isinstance(reader, ConnectionReader):
            reader = ConnectionReader(reader)
        limit = Request.max_readline
        try:
            line = await reader.readline(limit)
            while line == b'':  # stray line ends between requests
                line = await reader.readline(limit)
        except ValueError:
            raise HTTPException(414, 'URI Too Long')
        except EOFError:
            raise HTTPException(400, 'Incomplete request')
        if line is None:
            return None
        if reader.started is not None:
            reader.started()
        method, url, version = parse_request_line(line)
        headers = NoCaseDict()
        count = 0
        try:
            while True:
                line = await reader.readline(limit)
                if not line:
                    if line is None:
                        raise EOFError()
                    break
                count += 1
                if count > Request.max_headers:
                    raise HTTPException(431, 'Too Many Headers')
                i = line.find(b':')
                if i <= 0 or line[i - 1] in b' \t':
                    raise HTTPException(400, 'Malformed header')
                name = line[:i].decode()
                value = line[i + 1:].strip().decode()
                if name in headers:
                    value = headers[name] + ', ' + value
                headers[name] = value
        except ValueError:
            raise HTTPException(431, 'Request Header Fields Too Large')
        except EOFError:
            raise HTTPException(400, 'Incomplete request')
        body = b''
        stream = None
        length = headers.get('Content-Length')
        if headers.get('Transfer-Encoding'):
            if length is not None or \
                    headers['Transfer-Encoding'].lower() != 'chunked':
                raise HTTPException(400, 'Unsupported Transfer-Encoding')
            _continue(headers, client_writer)
            from .body import read_chunked
            body = await read_chunked(reader, Request.max_content_length,
                                      Request.max_readline)
            headers['Content-Length'] = str(len(body))
            del headers['Transfer-Encoding']
        elif length is not None:
            if not length.isdigit():
                raise HTTPException(400, 'Invalid Content-Length')
            n = int(length)
            if n > Request.max_content_length:
                raise HTTPException(413, 'Payload Too Large')
            if n:
                _continue(headers, client_writer)
                if n <= Request.max_body_length:
                    try:
                        body = await reader.readexactly(n)
                    except EOFError:
                        raise HTTPException(400, 'Incomplete body')
                else:
                    from .body import BodyStream
                    stream = BodyStream(reader, n)
        return Request(app, client_addr, method, url, version, headers,
                       body=body, stream=stream, sock=(reader, client_writer),
                       scheme=scheme)

    def __getattr__(self, name):
        # The lazily computed attributes: each is worked out on first use
        # and stored on the instance, so later reads are plain lookups.
        # One method instead of a property each keeps the class small in RAM.
        if name == 'args':
            try:
                value = parse_urlencoded(self.query_string)
            except UnicodeError:
                raise HTTPException(400, 'Invalid query string')
        elif name == 'cookies':
            value = _parse_cookies(self.headers.get('Cookie'))
        elif name == 'json':
            value = None
            if self._body and _mime(self.content_type) == 'application/json':
                try:
                    value = json.loads(self._body)
                except (ValueError, UnicodeError):
                    raise HTTPException(400, 'Invalid JSON body')
        elif name == 'form':
            value = None
            if _mime(self.content_type) == \
                    'application/x-www-form-urlencoded':
                try:
                    value = parse_urlencoded(self._body.decode())
                except UnicodeError:
                    raise HTTPException(400, 'Invalid form body')
        elif name == 'g':
            value = Request.G()
        elif name == 'stream':
            from .body import BytesStream
            value = BytesStream(self._body)
        elif name == 'after_request_handlers':
            value = self._after = []
        else:
            raise AttributeError(name)
        setattr(self, name, value)
        return value

    def after_request(self, f):
        """Register ``f(request, response)`` to run after this request only.

        It runs after the application's after-request handlers and may
        return a new response.
        """
        self.after_request_handlers.append(f)
        return f


def _mime(content_type):
    return content_type.split(';')[0].strip().lower() if content_type \
        else None


def _parse_cookies(header):
    cookies = {}
    if header:
        for item in header.split(';'):
            name, sep, value = item.strip().partition('=')
            if sep:
                if len(value) > 1 and value[0] == value[-1] == '"':
                    value = value[1:-1]
                cookies[name] = value
    return cookies


def _continue(headers, writer):
    """Answer ``Expect: 100-continue`` so clients like curl send the body."""
    expect = headers.get('Expect')
    if expect and expect.lower() == '100-continue' and writer is not None:
        writer.write(b'HTTP/1.1 100 Continue\r\n\r\n')
