"""The HTTP request: reading it off a connection and the Request object."""
import json

from .structures import NoCaseDict


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

    # 512: one read holds a typical request head, and a small board's heap
    # finds a free 512-byte block more easily than a 1 KB one
    chunk_size = 512
    #: the server's watchdog record: told when a request starts arriving
    conn = None

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

    async def read_head(self, max_line, max_total):
        """Return the next request head (the bytes before the blank line).

        None when the stream ends cleanly before a request. Raises
        HTTPException 414 for a request line over ``max_line`` bytes, 431
        for a head over ``max_total`` bytes, 400 for a head cut short.
        """
        started = False
        while True:
            buf = self.buf
            pos = self.pos
            while buf.startswith(b'\r\n', pos):  # stray line ends
                pos += 2
            self.pos = pos
            # the first blank line ends the head: CRLF CRLF, or bare LFs as
            # from some hand-made clients (never a later CRLF CRLF, which
            # may belong to the body or the next request)
            i = buf.find(b'\n\r\n', pos)
            j = buf.find(b'\n\n', pos, len(buf) if i < 0 else i)
            if j >= 0:
                self.pos = j + 2
                return buf[pos:j].replace(b'\r\n', b'\n') \
                    .replace(b'\n', b'\r\n')
            if i >= 0:
                self.pos = i + 3
                if i > pos and buf[i - 1] == 13:
                    return buf[pos:i - 1]
                # bare-LF lines, then a CRLF blank line
                return buf[pos:i].replace(b'\r\n', b'\n') \
                    .replace(b'\n', b'\r\n')
            size = len(buf) - pos
            if size:
                if not started and self.conn is not None:
                    self.conn.busy()
                started = True
                if size > max_line and buf.find(b'\n', pos,
                                                pos + max_line + 2) < 0:
                    raise HTTPException(414, 'URI Too Long')
                if size > max_total:
                    raise HTTPException(431, 'Request Header Fields Too '
                                             'Large')
            if not await self._fill():
                if size:
                    raise HTTPException(400, 'Incomplete request')
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


def parse_head(head, max_line, max_headers):
    """Parse a request head (bytes, lines split by CRLF, no blank line).

    Returns ``(method, url, version, headers)``, e.g. ``('GET', '/x',
    '1.1', NoCaseDict(...))``. Raises HTTPException: 400 for a malformed
    request, 414 / 431 for a line over ``max_line`` or more than
    ``max_headers`` headers, 505 for a protocol other than HTTP/1.x. No I/O:
    this can be tested and fuzzed byte by byte.
    """
    try:
        text = head.decode()
    except UnicodeError:
        raise HTTPException(400, 'Malformed request')
    lines = text.split('\r\n')
    line = lines[0]
    if len(line) > max_line:
        raise HTTPException(414, 'URI Too Long')
    parts = line.split(' ')
    if len(parts) != 3 or not parts[0] or not parts[1]:
        raise HTTPException(400, 'Malformed request line')
    method, url, version = parts
    if version != 'HTTP/1.1' and version != 'HTTP/1.0':
        if len(version) == 8 and version.startswith('HTTP/') and \
                version[5] in _DIGITS and version[6] == '.' and \
                version[7] in _DIGITS:
            raise HTTPException(505, 'HTTP Version Not Supported')
        raise HTTPException(400, 'Malformed request line')
    if method.strip(_METHOD_CHARS):  # ASCII letters and '-' only
        raise HTTPException(400, 'Malformed method')
    if url[0] != '/':
        # absolute-form ("http://host/path") is allowed, as is "OPTIONS *"
        if url.startswith('http://') or url.startswith('https://'):
            i = url.find('/', url.find('//') + 2)
            url = url[i:] if i >= 0 else '/'
        elif url != '*':
            raise HTTPException(400, 'Malformed URL')
    if len(lines) > max_headers + 1:
        raise HTTPException(431, 'Too Many Headers')
    headers = NoCaseDict()
    for n in range(1, len(lines)):
        line = lines[n]
        if len(line) > max_line:
            raise HTTPException(431, 'Request Header Fields Too Large')
        i = line.find(':')
        if i <= 0:
            raise HTTPException(400, 'Malformed header')
        name = line[:i]
        lower = _names.get(name)
        if lower is None:
            lower = _token_lower(name)
        if line.startswith(': ', i) and line[-1] != ' ' and \
                not line.startswith(' ', i + 2):  # one space: no strip()
            value = line[i + 2:]
        else:
            value = line[i + 1:].strip()
        headers.add(name, value, lower)
    if text.count('\n') != len(lines) - 1 or \
            text.count('\r') != len(lines) - 1 or '\x00' in text:
        raise HTTPException(400, 'Malformed header')  # bare CR/LF or NUL
    return method, url, version[5:], headers


# Header names seen before, with their lower-case form: clients send the
# same few names on every request, so validating and lower-casing them once
# saves work and an allocation per header. Bounded for small boards.
_names = {}
_SEPARATORS = '()<>@,;:\\"/[]?={} \t'
# str.isdigit() also takes other scripts' digits on CPython (not on
# MicroPython): HTTP numbers are ASCII
_DIGITS = '0123456789'
_METHOD_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-'


def _token_lower(name):
    """Check a header name is an HTTP token; return it lower-cased."""
    for c in name:
        if c in _SEPARATORS or c < '!' or c > '~':
            raise HTTPException(400, 'Malformed header name')
    lower = name.lower()
    if len(_names) < 32:
        _names[name] = lower
    return lower


class Request:
    """An HTTP request, as handlers, hooks and error handlers receive it.

    Attributes: ``app``, ``client_addr`` (host, port), ``method``, ``url``,
    ``path`` (percent-decoded), ``query_string``, ``http_version``,
    ``headers`` (a :class:`NoCaseDict`), ``scheme``, ``url_prefix`` and
    ``subapp`` (for routes of a mounted app), ``route`` (the handler that
    matched), and the lazily computed ``args``, ``cookies``, ``json``,
    ``form``, ``files`` (uploads, filled by the multipart extension),
    ``body``, ``stream``, ``content_type``, ``content_length`` and ``g``.
    """

    #: Largest accepted body in bytes; larger requests get a 413.
    max_content_length = 16 * 1024
    #: Largest body loaded into ``body``; larger ones only via ``stream``.
    max_body_length = 16 * 1024
    #: Largest request line or header line in bytes (414 / 431 past it).
    max_readline = 2 * 1024
    #: Most header lines a request may carry (431 past it).
    max_headers = 64
    #: Largest request head (request line and headers) in bytes (431 past
    #: it). Raise it along with ``max_readline`` for very large cookies.
    max_head_length = 8 * 1024

    class G:
        """A namespace for data shared by the handlers of one request."""
        pass

    def __init__(self, app, client_addr, method, url, http_version, headers,
                 body=None, stream=None, sock=None, url_prefix='',
                 subapp=None, scheme=None, route=None):
        self.app = app
        if client_addr is not None:
            self.client_addr = client_addr  # else worked out when asked
        self.method = method
        self.url = url
        self.http_version = http_version
        self.headers = headers
        self.body = body or b''
        if '?' in url:
            path, _, self.query_string = url.partition('?')
        else:
            path = url
        if '%' in path:
            from .urls import urldecode_str
            try:
                path = urldecode_str(path, False)  # '+' stays '+'
            except (UnicodeError, ValueError):
                raise HTTPException(400, 'Malformed URL')
        self.path = path
        # what most requests leave at the class defaults below is only set
        # when it differs: fewer instance attributes, less RAM per request
        if sock is not None:
            self.sock = sock
        if stream is not None:
            self._stream = self.stream = stream
        if url_prefix:
            self.url_prefix = url_prefix
        if subapp is not None:
            self.subapp = subapp
        if scheme is not None:
            self.scheme = scheme
        if route is not None:
            self.route = route

    query_string = ''
    sock = None
    url_prefix = ''
    subapp = None
    scheme = 'http'
    route = None
    _stream = None  # a body left on the connection, read on demand
    _after = None

    @staticmethod
    async def create(app, client_reader, client_writer, client_addr,
                     scheme=None, sock=None):
        """Read one request off a connection and return it.

        Returns None when the client closed the connection before sending
        anything. Raises :class:`HTTPException` (400, 413, 414, 431, 505)
        for a request that can not be served; when its head was readable
        (a body too large or malformed), the exception's ``request``
        attribute holds the request without its body, for error handlers.
        """
        reader = client_reader
        if not isinstance(reader, ConnectionReader):
            reader = ConnectionReader(reader)
        max_line = Request.max_readline
        head = await reader.read_head(max_line, Request.max_head_length)
        if head is None:
            return None
        method, url, version, headers = parse_head(head, max_line,
                                                   Request.max_headers)
        sock = sock or (reader, client_writer)
        body = b''
        stream = None
        length = headers.get_lower('content-length')
        te = headers.get_lower('transfer-encoding')
        if (te is not None or length) and reader.conn is not None:
            # a body to read: under the request timeout, even when the
            # whole head came in the first read
            reader.conn.busy()
        try:
            if te is not None:
                if length is not None or te.lower() != 'chunked':
                    raise HTTPException(400, 'Unsupported Transfer-Encoding')
                _continue(headers, client_writer)
                from .body import read_chunked
                body, stream = await read_chunked(
                    reader, Request.max_content_length, max_line,
                    Request.max_body_length)
                if stream is None:
                    headers['Content-Length'] = str(len(body))
                    del headers['Transfer-Encoding']
            elif length is not None:
                if not length or length.strip(_DIGITS):  # ASCII only
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
        except HTTPException as exc:
            try:
                exc.request = Request(app, client_addr, method, url, version,
                                      headers, sock=sock, scheme=scheme)
            except HTTPException:
                pass  # the URL is malformed too: no request to offer
            raise
        return Request(app, client_addr, method, url, version, headers,
                       body=body, stream=stream, sock=sock, scheme=scheme)

    def __getattr__(self, name):
        # The lazily computed attributes: each is worked out on first use
        # and stored on the instance, so later reads are plain lookups.
        # One method instead of a property each keeps the class small in RAM.
        if name == 'args':
            from .urls import parse_urlencoded
            try:
                value = parse_urlencoded(self.query_string)
            except UnicodeError:
                raise HTTPException(400, 'Invalid query string')
        elif name == 'cookies':
            value = _parse_cookies(self.headers.get('Cookie'))
        elif name == 'json':
            value = None
            if self.body and _mime(self.content_type) == 'application/json':
                try:
                    value = json.loads(self.body)
                except (ValueError, UnicodeError, RuntimeError):
                    # RuntimeError: CPython's RecursionError, deep nesting
                    raise HTTPException(400, 'Invalid JSON body')
        elif name == 'form':
            value = None
            if _mime(self.content_type) == \
                    'application/x-www-form-urlencoded':
                from .urls import parse_urlencoded
                try:
                    value = parse_urlencoded(self.body.decode())
                except UnicodeError:
                    raise HTTPException(400, 'Invalid form body')
        elif name == 'client_addr':
            value = _peer(self.sock[1]) if self.sock else None
        elif name == 'content_length':
            value = self.headers.get('Content-Length')
            value = int(value) if value and not value.strip(_DIGITS) else 0
        elif name == 'content_type':
            value = self.headers.get('Content-Type')
        elif name == 'g':
            value = Request.G()
        elif name == 'files':
            value = {}  # filled by the multipart extension
        elif name == 'stream':
            from .body import BytesStream
            value = BytesStream(self.body)
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
    expect = headers.get_lower('expect')
    if expect and expect.lower() == '100-continue' and writer is not None:
        writer.write(b'HTTP/1.1 100 Continue\r\n\r\n')


def _peer(writer):
    """The (host, port) of the client on the other end of ``writer``."""
    try:
        addr = writer.get_extra_info('peername')
    except Exception:
        return None
    if isinstance(addr, (bytes, bytearray)) and len(addr) >= 8:
        # MicroPython's unix port gives a raw IPv4 sockaddr
        addr = ('%d.%d.%d.%d' % (addr[4], addr[5], addr[6], addr[7]),
                addr[2] << 8 | addr[3])
    return addr
