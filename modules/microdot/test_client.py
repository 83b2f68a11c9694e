"""Send requests to an application without a network, for tests.

    client = TestClient(app)
    res = await client.get('/')
    assert res.status_code == 200 and res.text == 'Hello, World!'

Requests go through the same parser, dispatch and response writer as on a
socket, so what passes here passes on the wire.
"""
import json

from .body import BytesStream
from .structures import NoCaseDict
from .response import Response
from .server import serve_connection


class _Writer:
    def __init__(self):
        self.chunks = []
        self.closed = False

    def write(self, data):
        self.chunks.append(bytes(data))

    async def drain(self):
        pass

    def close(self):
        self.closed = True

    async def wait_closed(self):
        pass

    def get_extra_info(self, name, default=None):
        return ('127.0.0.1', 1234) if name == 'peername' else default


class TestResponse:
    """A response received by the :class:`TestClient`.

    ``status_code``, ``reason``, ``headers`` (case-insensitive; a header
    sent more than once is a list), ``body`` (bytes), ``text`` (str, or None
    if the body is not UTF-8) and ``json`` (None unless the response is JSON).
    ``headers``, ``text``, ``json`` and ``events`` are worked out on first
    use: most tests read two of them, and parsing every header of every
    response was a third of a test request's time on MicroPython (22 of
    71 us).
    """

    __test__ = False  # not a test case either

    def __init__(self, raw, no_body=False):
        head, _, body = raw.partition(b'\r\n\r\n')
        while head.startswith(b'HTTP/1.1 100 '):  # skip 100 Continue
            head, _, body = body.partition(b'\r\n\r\n')
        self._head = head
        if not head:  # Response.already_handled: the handler answered
            self.status_code = 200
            self.reason = 'OK'
            no_body = True
        else:
            line = head.split(b'\r\n', 1)[0].decode()
            _, status, self.reason = (line.split(' ', 2) + [''])[:3]
            self.status_code = int(status)
        if no_body:  # HEAD, or a handler that wrote its own reply
            self.body = self.text = self.json = None
            return
        if b'chunked' in head.lower() and \
                self.headers.get('Transfer-Encoding') == 'chunked':
            body = _dechunk(body)
        self.body = body

    def __getattr__(self, name):
        if name == 'headers':
            value = _parse_headers(self._head)
        elif name == 'text':
            try:
                value = self.body.decode()
            except UnicodeError:
                value = None
        elif name == 'json':
            value = None
            ctype = self.headers.get('Content-Type', '')
            # an encoded body (gzip) is left to the test to decode
            if ctype.split(';')[0] == 'application/json' and self.body and \
                    'Content-Encoding' not in self.headers:
                value = json.loads(self.body)
        elif name == 'events':  # a text/event-stream body
            ctype = self.headers.get('Content-Type') or ''
            value = None
            if ctype.split(';')[0] == 'text/event-stream' and self.body:
                from .test_client_ws import parse_events
                value = parse_events(self.body)
        else:
            raise AttributeError(name)
        setattr(self, name, value)
        return value


def _parse_headers(head):
    """The headers of a response head (bytes) as a NoCaseDict; a header
    sent more than once, and Set-Cookie always, as a list."""
    headers = NoCaseDict()
    for line in head.decode().split('\r\n')[1:]:
        name, _, value = line.partition(':')
        value = value.strip()
        if name.lower() == 'set-cookie':
            headers.setdefault(name, []).append(value)
        elif name in headers:
            prev = headers[name]
            headers[name] = (prev if isinstance(prev, list)
                             else [prev]) + [value]
        else:
            headers[name] = value
    return headers


def _dechunk(data):
    body = b''
    while data:
        size_line, _, data = data.partition(b'\r\n')
        size = int(size_line.split(b';')[0], 16)
        if size == 0:
            break
        body += data[:size]
        data = data[size + 2:]
    return body


class TestClient:
    """A client that sends requests straight into ``app``.

    ``cookies`` is a dict of cookies to send; cookies set by responses are
    kept and sent with later requests. ``scheme`` sets ``request.scheme``
    and ``host`` the Host header.
    """

    __test__ = False  # not a test case, whatever pytest makes of the name

    def __init__(self, app, cookies=None, scheme=None, host=None):
        self.app = app
        #: name -> value of the cookies sent with every request
        self.cookies = dict(cookies or {})
        self._paths = {}  # name -> the Path a response set it with
        self.scheme = scheme
        self.host = host or 'localhost'

    async def request(self, method, path, headers=None, body=None,
                      json=None):
        """Send a request and return its :class:`TestResponse`.

        ``body`` may be bytes, str, or a dict/list (sent as JSON); ``json``
        is always sent as JSON.
        """
        headers = NoCaseDict(headers)
        if json is not None:
            body = json
        if isinstance(body, (dict, list)):
            body = _dumps(body).encode()
            headers.setdefault('Content-Type', 'application/json')
        elif isinstance(body, str):
            body = body.encode()
        elif body is None:
            body = b''
        headers.setdefault('Host', self.host)
        if (body or method in ('POST', 'PUT', 'PATCH')) and \
                'Transfer-Encoding' not in headers:  # else body is encoded
            headers.setdefault('Content-Length', str(len(body)))
        if self.cookies:
            jar = '; '.join(k + '=' + str(v) for k, v in self.cookies.items())
            cookie = headers.get('Cookie')
            headers['Cookie'] = jar + '; ' + cookie if cookie else jar
        lines = [method + ' ' + path + ' HTTP/1.1']
        for name, value in headers.items():
            lines.append(name + ': ' + str(value))
        raw = ('\r\n'.join(lines) + '\r\n\r\n').encode() + body
        writer = _Writer()
        last = await serve_connection(self.app, BytesStream(raw),
                                             writer, self.scheme)
        res = TestResponse(b''.join(writer.chunks), method == 'HEAD' or
                           last is Response.already_handled)
        self._update_cookies(res)
        return res

    def _update_cookies(self, res):
        if b'set-cookie' not in res._head.lower():
            return  # no need to parse the headers
        for cookie in res.headers.get('Set-Cookie', ()):
            parts = cookie.split(';')
            name, _, value = parts[0].strip().partition('=')
            expired = False
            path = '/'  # the default path of the test client's URLs
            for attr in parts[1:]:
                key, _, val = attr.strip().partition('=')
                key = key.lower()
                if key == 'path':
                    path = val.strip()
                elif (key == 'max-age' and val.strip().lstrip('-').isdigit()
                      and int(val) <= 0) or \
                        (key == 'expires' and '1970' in val):
                    expired = True
            if expired:
                # a deletion applies to the cookie set with the same path
                if name in self.cookies and self._paths.get(name) == path:
                    del self.cookies[name]
                    self._paths.pop(name, None)
            else:
                self.cookies[name] = value
                self._paths[name] = path

    async def get(self, path, headers=None):
        return await self.request('GET', path, headers=headers)

    async def post(self, path, headers=None, body=None, json=None):
        return await self.request('POST', path, headers, body, json)

    async def put(self, path, headers=None, body=None, json=None):
        return await self.request('PUT', path, headers, body, json)

    async def patch(self, path, headers=None, body=None, json=None):
        return await self.request('PATCH', path, headers, body, json)

    async def delete(self, path, headers=None, body=None, json=None):
        return await self.request('DELETE', path, headers, body, json)

    async def head(self, path, headers=None):
        return await self.request('HEAD', path, headers=headers)

    async def options(self, path, headers=None):
        return await self.request('OPTIONS', path, headers=headers)

    async def query(self, path, headers=None, body=None):
        """A request with the HTTP QUERY method (a safe request with a
        body)."""
        return await self.request('QUERY', path, headers, body)

    async def websocket(self, path, client, headers=None):
        """Open a WebSocket on ``path`` and talk to it through ``client``.

        ``client`` is an async generator function (an async iterator class
        on MicroPython) that yields messages to send (str: text, bytes:
        binary, None: send nothing) and receives each reply as the value of
        its ``yield`` (an iterator class gets it through its ``asend()``
        method, when it has one). Returns a :class:`TestResponse` (status
        101 unless the handshake failed) with ``messages``, every message
        received, and ``close_code``, the code of the server's close frame.
        """
        from .test_client_ws import websocket
        return await websocket(self, path, client, headers)


_dumps = json.dumps
