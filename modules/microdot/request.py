"""The HTTP request: its head parsed from bytes, and the Request object.

A request's path through the core: :mod:`connection` reads the head,
:func:`parse_head` parses it (no I/O), :meth:`Request.create` reads or
streams the body (:mod:`body`), then the app dispatches it.
"""
from .exceptions import HTTPException, ProtocolError, abort  # noqa: F401
from .structures import NoCaseDict, shared_keymap
from .helpers import MICROPYTHON, add_methods


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
        raise ProtocolError(400, 0)  # Malformed request
    lines = text.split('\r\n')
    line = lines[0]
    if len(line) > max_line:
        raise ProtocolError(414)
    parts = line.split(' ')
    if len(parts) != 3 or not parts[0] or not parts[1]:
        raise ProtocolError(400, 1)  # Malformed request line
    method, url, version = parts
    if not version.startswith('HTTP/'):
        raise ProtocolError(400, 1)  # Malformed request line
    version = version[5:]
    if version != '1.1' and version != '1.0':
        if len(version) == 3 and version[0] in '0123456789' and \
                version[1] == '.' and version[2] in '0123456789':
            raise ProtocolError(505)
        raise ProtocolError(400, 1)  # Malformed request line
    # ASCII letters and '-' only
    if method.strip('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-'):
        raise ProtocolError(400, 2)  # Malformed method
    if url[0] != '/':
        # absolute-form ("http://host/path") is allowed, as is "OPTIONS *"
        if url.startswith('http://') or url.startswith('https://'):
            i = url.find('/', url.find('//') + 2)
            url = url[i:] if i >= 0 else '/'
        elif url != '*':
            raise ProtocolError(400, 3)  # Malformed URL
    if len(lines) > max_headers + 1:
        raise ProtocolError(431, 4)  # Too Many Headers
    headers = NoCaseDict()
    headers.keymap = shared_keymap  # until a name is spelled otherwise
    for n in range(1, len(lines)):
        line = lines[n]
        if len(line) > max_line:
            raise ProtocolError(431)
        i = line.find(':')
        if i <= 0:
            raise ProtocolError(400, 5)  # Malformed header
        name = line[:i]
        lower = _names.get(name)
        if lower is None:
            # a new name: check it is an HTTP token, then remember it
            for c in name:
                if c in '()<>@,;:\\"/[]?={} \t' or c < '!' or c > '~':
                    raise ProtocolError(400, 6)  # Malformed header
                    # name
            lower = name.lower()
            if len(_names) < 32:
                _names[name] = lower
            if lower not in shared_keymap and len(shared_keymap) < 32:
                shared_keymap[lower] = name  # the spelling others share
        if line.startswith(': ', i) and line[-1] != ' ' and \
                not line.startswith(' ', i + 2):  # one space: no strip()
            value = line[i + 2:]
        else:
            # spaces and tabs only: a vertical tab or form feed around a
            # Content-Length must not pass for white space
            value = line[i + 1:].strip(' \t')
        headers.add(name, value, lower)
    if text.count('\n') != len(lines) - 1 or \
            text.count('\r') != len(lines) - 1 or '\x00' in text:
        raise ProtocolError(400, 5)  # Malformed header: bare CR/LF, NUL
    host = headers.get_lower('host')
    if host is None:
        if version == '1.1':
            raise ProtocolError(400, 7)  # Missing Host header
    elif host not in _hosts:  # a new value: check it (also catches two
        # Host headers, "a, b"), then remember it
        if host.strip('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'
                      '0123456789-._~!$&\'()*+;=%:[]') or \
                host.count('[') > 1 or \
                (host.count(':') > 1 and not host.startswith('[')):
            raise ProtocolError(400, 8)  # Invalid Host header
        if len(_hosts) < 8:
            _hosts[host] = True
    return method, url, version, headers


_hosts = {}  # Host values seen before (valid): one lookup per request


# Header names seen before, with their lower-case form: clients send the
# same few names on every request, so validating and lower-casing them once
# saves work and an allocation per header. Bounded for small boards.
# (Numbers are checked against '0123456789': str.isdigit() also takes other
# scripts' digits on CPython, and HTTP numbers are ASCII.)
_names = {}
compute = None  # request_attrs.compute, once a lazy attribute was read


class Request:
    """An HTTP request, as handlers, hooks and error handlers receive it.

    Attributes: ``app``, ``client_addr`` (host, port), ``method``, ``url``,
    ``path`` (percent-decoded), ``query_string``, ``http_version``,
    ``headers`` (a :class:`NoCaseDict`), ``scheme``, ``url_prefix`` and
    ``subapp`` (for routes of a mounted app), ``route`` (the handler that
    matched), and the lazily computed ``args``, ``cookies``, ``json``,
    ``form``, ``files`` (uploads, filled by the multipart extension),
    ``body``, ``stream``, ``content_type``, ``content_length``, ``g`` and
    ``vary`` (a set of request header names the response depends on,
    merged into its ``Vary`` header; extensions add to it).

    ``sock`` is ``(reader, writer)``: the connection, with ``read``,
    ``readexactly``, ``readline``, ``write``, ``drain``, ``awrite``,
    ``aclose`` (see :class:`~microdot.connection.Connection`).
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
        if http_version != '1.1':
            self.http_version = http_version
        self.headers = headers
        if body:
            self.body = body
        if '?' in url:
            path, _, self.query_string = url.partition('?')
        else:
            path = url
        if '%' in path:
            from .urls import urldecode_str
            try:
                path = urldecode_str(path, False)  # '+' stays '+'
            except (UnicodeError, ValueError):
                raise ProtocolError(400, 3)  # Malformed URL
            if '\x00' in path:  # never let a NUL reach a file name
                raise ProtocolError(400, 3)  # Malformed URL
        self.path = path
        if path is not url:  # else url is path: __getattr__ says so
            self.url = url
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
        if scheme is not None and scheme != 'http':
            self.scheme = scheme
        if route is not None:
            self.route = route

    # an instance's attributes are a table MicroPython grows as they are
    # stored (16 bytes a slot on a 64-bit port): each one left at its class
    # default saves a slot, per request (body and scheme: 32 bytes)
    body = b''
    http_version = '1.1'
    query_string = ''
    sock = None
    url_prefix = ''
    subapp = None
    scheme = 'http'
    route = None
    _stream = None  # a body left on the connection, read on demand
    _after = None
    _vary = None  # request.vary, once used (no __dict__ look-up: 64 bytes)
    # dispatched through middleware: the route (None when none matched),
    # else False (see dispatch_request). One attribute, not two: the
    # class's table holds 23 names in 23 slots, a 24th would make it 29
    _route = False

    @staticmethod
    async def create(app, client_reader, client_writer=None,
                     client_addr=None, scheme=None, sock=None):
        """Read one request off a connection and return it.

        ``client_reader`` is a :class:`~microdot.connection.Connection`, or
        an asyncio stream to wrap in one (with ``client_writer``). Returns
        None when the client closed the connection before sending
        anything. Raises :class:`HTTPException` (400, 413, 414, 431, 505)
        for a request that can not be served; when its head was readable
        (a body too large or malformed), the exception's ``request``
        attribute holds the request without its body, for error handlers.
        """
        conn = client_reader
        if getattr(conn, 'read_head', None) is None:
            # an asyncio stream: the server and the test client pass a
            # Connection, and import microdot.connection (the wire is loaded
            # when serving starts, not by `import microdot`)
            from .connection import Connection
            conn = Connection(client_reader, client_writer)
        max_line = Request.max_readline
        head = await conn.read_head(max_line, Request.max_head_length)
        if head is None:
            return None
        method, url, version, headers = parse_head(head, max_line,
                                                   Request.max_headers)
        sock = sock or (conn, conn)
        body = b''
        stream = None
        length = headers.get_lower('content-length')
        te = headers.get_lower('transfer-encoding')
        if te is not None or length:
            # a body to read: under the request timeout, even when the
            # whole head came in the first read
            conn.busy()
        try:
            if te is not None:
                if length is not None or te.lower() != 'chunked':
                    # Unsupported Transfer-Encoding
                    raise ProtocolError(400, 9)
                conn.send_continue(headers)
                from .body import read_chunked
                body, stream = await read_chunked(
                    conn, Request.max_content_length, max_line,
                    Request.max_body_length)
                if stream is None:
                    headers['Content-Length'] = str(len(body))
                    del headers['Transfer-Encoding']
            elif length is not None:
                if not length or length.strip('0123456789'):  # ASCII
                    raise ProtocolError(400, 10)  # Invalid Content-Length
                n = int(length)
                if n > Request.max_content_length:
                    raise ProtocolError(413)
                if n:
                    conn.send_continue(headers)
                    if n <= Request.max_body_length:
                        try:
                            body = await conn.readexactly(n)
                        except EOFError:
                            # Incomplete body
                            raise ProtocolError(400, 11)
                    else:
                        from .body import BodyStream
                        stream = BodyStream(conn, n)
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
        # The lazily computed attributes (args, cookies, json, form, g, ...)
        # are worked out on first use by microdot.request_attrs, loaded
        # then (an app that never reads them saves ~1.5 KB of heap on a
        # board), and stored on the instance: later reads are plain look-ups.
        # The methods few handlers call (url_for(), after_request()) are
        # there too, added to the class on first use.
        if name == 'url':  # not stored when it is the path
            return self.path
        if name == 'vary':  # asked by extensions on most requests
            # kept as _vary only (dispatch reads that): a second instance
            # attribute would grow the request's attribute dict
            value = self._vary
            if value is None:
                value = self._vary = set()
            return value
        global compute
        if compute is None:
            # loaded once: an import statement per request would cost
            # an allocation and microseconds (request.g on every request)
            from .request_attrs import compute
        return compute(self, name)


if not MICROPYTHON:
    from .request_attrs import RequestExtras
    add_methods(Request, RequestExtras)
