"""A tiny blocking HTTP/1.1 client for the RAM measurements (CPython only).

wrk measures speed; this client drives exact request counts: it keeps the
connection open while the server allows it and reconnects when the server
closes, like any plain HTTP/1.1 client would.
"""
import json
import socket

EXPECTED = {'hello': 'world'}


class HTTPError(Exception):
    pass


class Client:
    """Sequential GET / requests to 127.0.0.1:port."""

    def __init__(self, port, close=False, timeout=3.0):
        self.port = port
        self.close_each = close
        self.timeout = timeout
        self.sock = None
        self.connections = 0
        self.last_version = None
        self.last_kept_alive = None

    def _connect(self):
        self.sock = socket.create_connection(('127.0.0.1', self.port),
                                             timeout=self.timeout)
        self.connections += 1
        self.buf = b''

    def _recv(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError
        self.buf += data

    def shutdown(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def get(self):
        """One GET /; returns (status, headers, body). Raises HTTPError."""
        for attempt in (0, 1):
            fresh = self.sock is None
            if fresh:
                self._connect()
            try:
                return self._exchange()
            except EOFError:
                # A kept-alive connection the server closed before answering
                # is retried once on a new connection; anything else fails.
                self.shutdown()
                if fresh or self.buf:
                    raise HTTPError('connection closed before a response')
            except OSError as exc:
                self.shutdown()
                raise HTTPError('socket error: %s' % exc)
        raise HTTPError('connection closed twice')

    def _exchange(self):
        req = b'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n'
        if self.close_each:
            req += b'Connection: close\r\n'
        self.sock.sendall(req + b'\r\n')
        while b'\r\n\r\n' not in self.buf:
            self._recv()
        head, _, self.buf = self.buf.partition(b'\r\n\r\n')
        lines = head.decode('latin-1').split('\r\n')
        parts = lines[0].split(' ', 2)
        if len(parts) < 2 or not parts[0].startswith('HTTP/'):
            raise HTTPError('bad status line %r' % lines[0])
        version, status = parts[0], int(parts[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(':')
            headers[name.strip().lower()] = value.strip()
        conn = headers.get('connection', '').lower()
        if 'content-length' in headers:
            length = int(headers['content-length'])
            while len(self.buf) < length:
                self._recv()
            body, self.buf = self.buf[:length], self.buf[length:]
        else:
            try:
                while True:
                    self._recv()
            except EOFError:
                pass
            body, self.buf = self.buf, b''
            conn = 'close'
        if version == 'HTTP/1.1':
            keep = 'close' not in conn
        else:
            keep = 'keep-alive' in conn
        self.last_version = version
        self.last_kept_alive = keep and not self.close_each
        if not keep or self.close_each:
            self.shutdown()
        return status, headers, body


def check_ok(status, body):
    """True when a response is the hello-world JSON with status 200."""
    if status != 200:
        return False
    try:
        return json.loads(body) == EXPECTED
    except ValueError:
        return False


def probe(port, timeout=10.0):
    """Read "mem_alloc mem_free" from a server's --probe port."""
    with socket.create_connection(('127.0.0.1', port), timeout=timeout) as s:
        data = b''
        while not data.endswith(b'\n'):
            chunk = s.recv(256)
            if not chunk:
                break
            data += chunk
    alloc, free = data.split()
    return int(alloc), int(free)


def keepalive_behaviour(port):
    """What a server does with two HTTP/1.1 requests on one connection."""
    c = Client(port)
    status, headers, body = c.get()
    info = {'response_version': c.last_version,
            'keeps_alive': bool(c.last_kept_alive),
            'content_type': headers.get('content-type'),
            'body_ok': check_ok(status, body)}
    if c.sock is not None:
        status, _, body = c.get()
        info['second_request_same_connection'] = (
            c.connections == 1 and check_ok(status, body))
    c.shutdown()
    return info
