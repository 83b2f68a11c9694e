"""Shared helpers for the framework tests.

Runs unchanged on CPython and MicroPython: `run(coro)` drives a coroutine to
completion, `LiveServer` runs an app's real server in-process on a free
port, and `RawClient` speaks raw HTTP/1.x bytes to it so tests can send
exactly what a (possibly broken) client would send. Every read is bounded
by a timeout so a misbehaving server fails a test instead of hanging it.
"""

import asyncio
import errno
import os
import sys
import time
import unittest

try:
    import socket
except ImportError:  # ports without networking (qemu): no server tests
    socket = None
HAS_SOCKETS = socket is not None

IS_MICROPYTHON = sys.implementation.name == 'micropython'

# Default bound for any single client wait, in seconds.
TIMEOUT = 3


def run(coro):
    """Run a coroutine to completion on a fresh event loop."""
    if IS_MICROPYTHON:
        # MicroPython's loop is a singleton: drop tasks a failed test left.
        asyncio.new_event_loop()
    return asyncio.run(coro)


def now():
    """Monotonic time in seconds as a float."""
    if IS_MICROPYTHON:
        return time.ticks_ms() / 1000
    return time.monotonic()


def elapsed(start):
    if IS_MICROPYTHON:
        return time.ticks_diff(time.ticks_ms(), int(start * 1000)) / 1000
    return time.monotonic() - start


def make_client(app, **kwargs):
    from microdot.test_client import TestClient
    return TestClient(app, **kwargs)


def header(headers, name):
    """Case-insensitive header lookup in a dict (None when absent)."""
    lname = name.lower()
    for key in headers:
        if key.lower() == lname:
            return headers[key]
    return None


def set_cookie_headers(headers):
    """All Set-Cookie values of a response headers dict, as a list."""
    value = header(headers, 'Set-Cookie')
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def parse_set_cookie(value):
    """'a=1; Path=/; HttpOnly' -> ('a', '1', {'path': '/',
    'httponly': True})"""
    parts = [p.strip() for p in value.split(';')]
    name, val = parts[0].split('=', 1)
    attrs = {}
    for p in parts[1:]:
        if not p:
            continue
        if '=' in p:
            k, v = p.split('=', 1)
            attrs[k.strip().lower()] = v.strip()
        else:
            attrs[p.lower()] = True
    return name.strip(), val.strip(), attrs


def find_cookie(headers, name):
    """The parsed Set-Cookie entry for one cookie name, or None."""
    for value in set_cookie_headers(headers):
        parsed = parse_set_cookie(value)
        if parsed[0] == name:
            return parsed
    return None


# --- temporary files (no tempfile module on MicroPython) -------------------

def _isdir(path):
    try:
        return os.stat(path)[0] & 0x4000 != 0
    except OSError:
        return False


def make_temp_dir(prefix):
    """Create a fresh directory for test files and return its path."""
    base = None
    if not IS_MICROPYTHON:
        base = os.environ.get('TMPDIR') or '/tmp'
    elif _isdir('/tmp'):
        base = '/tmp'
    else:
        base = os.getcwd()
    try:
        suffix = ''.join('%02x' % b for b in os.urandom(4))
    except Exception:
        suffix = str(time.ticks_ms() if IS_MICROPYTHON else time.time())
    path = base.rstrip('/') + '/' + prefix + '_' + suffix
    os.mkdir(path)
    return path


def write_file(path, data):
    if isinstance(data, str):
        data = data.encode()
    with open(path, 'wb') as f:
        f.write(data)


def remove_tree(path):
    """Remove a directory made by make_temp_dir and everything in it."""
    if not _isdir(path):
        try:
            os.remove(path)
        except OSError:
            pass
        return
    for name in os.listdir(path):
        remove_tree(path + '/' + name)
    try:
        os.rmdir(path)
    except OSError:
        pass


# --- a live server and a raw HTTP client -----------------------------------

def _initial_offset():
    # start somewhere random so parallel runs of the suite rarely collide
    try:
        b = os.urandom(2)
        return (b[0] * 256 + b[1]) % 1000
    except Exception:
        return 0


_port_offset = [_initial_offset()]


def _addr(host, port):
    return socket.getaddrinfo(host, port)[0][-1]


def free_port(base):
    """A port at or after base (rotating per call) that we can bind now."""
    if socket is None:
        raise unittest.SkipTest('this port has no socket module')
    for _ in range(300):
        port = base + _port_offset[0] % 1000
        _port_offset[0] += 1
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(_addr('127.0.0.1', port))
            return port
        except OSError:
            pass
        finally:
            s.close()
    raise RuntimeError('no free port near %d' % base)


class LiveServer:
    """app.start_server() running as a task on a free local port.

    Use inside a coroutine: `srv = await LiveServer(app, 21000).start()`,
    then `await srv.stop()` (closes this server's clients, calls
    app.shutdown() and waits for start_server to return).
    """

    def __init__(self, app, base_port, **kwargs):
        self.app = app
        self.base_port = base_port
        self.kwargs = kwargs
        self.port = None
        self.task = None
        self.clients = []

    async def start(self):
        for _ in range(10):
            port = free_port(self.base_port)
            task = asyncio.create_task(self.app.start_server(
                host='127.0.0.1', port=port, **self.kwargs))
            if await self._wait_listening(port, task):
                self.port = port
                self.task = task
                return self
        raise RuntimeError('could not start the server on any port')

    async def _wait_listening(self, port, task):
        start = now()
        while elapsed(start) < TIMEOUT:
            if task.done():
                try:
                    await task
                except OSError as exc:
                    if exc.errno == errno.EADDRINUSE:
                        return False
                    raise
                raise RuntimeError('start_server() returned before serving')
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection('127.0.0.1', port), 1)
            except (OSError, asyncio.TimeoutError):
                await asyncio.sleep(0.02)
                continue
            await _close_writer(writer)
            # the port might belong to someone else: ours must still be up
            await asyncio.sleep(0.01)
            if task.done():
                continue
            return True
        raise RuntimeError('server did not start listening on %d' % port)

    async def client(self):
        c = await RawClient.connect(self.port)
        self.clients.append(c)
        return c

    async def request(self, method, path, headers=None, body=b'',
                      timeout=TIMEOUT):
        """One request on a fresh connection; returns the RawResponse."""
        c = await self.client()
        await c.send(build_request(method, path, headers, body))
        res = await c.read_response(head=(method == 'HEAD'), timeout=timeout)
        await c.close()
        return res

    async def stop(self, timeout=5):
        for c in self.clients:
            await c.close()
        self.clients = []
        if self.task is None:
            return
        self.app.shutdown()
        try:
            await asyncio.wait_for(self.task, timeout)
        finally:
            self.task = None


async def _close_writer(writer):
    try:
        writer.close()
        await asyncio.wait_for(writer.wait_closed(), 1)
    except Exception:
        pass


def build_request(method, path, headers=None, body=b'', version='HTTP/1.1',
                  host=True):
    """Bytes of one HTTP request; adds Host and Content-Length if needed."""
    if isinstance(body, str):
        body = body.encode()
    lines = [method + ' ' + path + ' ' + version]
    headers = headers or {}
    names = [k.lower() for k in headers]
    if host and 'host' not in names:
        lines.append('Host: localhost')
    for k in headers:
        lines.append(k + ': ' + str(headers[k]))
    if body and 'content-length' not in names:
        lines.append('Content-Length: ' + str(len(body)))
    return ('\r\n'.join(lines) + '\r\n\r\n').encode() + body


class ConnectionClosed(Exception):
    pass


class RawResponse:
    def __init__(self, version, status, reason, headers, body, chunked):
        self.version = version
        self.status = status
        self.reason = reason
        self.headers = headers  # list of (lowercase name, value)
        self.body = body
        self.chunked = chunked

    def header(self, name):
        name = name.lower()
        for k, v in self.headers:
            if k == name:
                return v
        return None

    def header_list(self, name):
        name = name.lower()
        return [v for k, v in self.headers if k == name]

    def __repr__(self):
        return '<RawResponse %d %r %r>' % (self.status, self.headers,
                                           self.body[:80])


class RawClient:
    """A byte-level HTTP/1.x client on one connection."""

    def __init__(self, reader, writer):
        self.reader = reader
        self.writer = writer
        self.buf = b''
        self.eof = False

    @classmethod
    async def connect(cls, port, host='127.0.0.1'):
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(host, port), TIMEOUT)
        return cls(reader, writer)

    async def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.writer.write(data)
        await asyncio.wait_for(self.writer.drain(), TIMEOUT)

    async def close(self):
        if self.writer is not None:
            await _close_writer(self.writer)
            self.writer = None

    async def _fill(self, deadline_start, timeout):
        remaining = timeout - elapsed(deadline_start)
        if remaining <= 0:
            raise asyncio.TimeoutError()
        try:
            data = await asyncio.wait_for(self.reader.read(4096), remaining)
        except asyncio.TimeoutError:
            raise
        except OSError:
            data = b''  # connection reset counts as closed
        if not data:
            self.eof = True
            return False
        self.buf += data
        return True

    async def _readline(self, start, timeout):
        while True:
            i = self.buf.find(b'\r\n')
            if i >= 0:
                line = self.buf[:i]
                self.buf = self.buf[i + 2:]
                return line
            if self.eof or not await self._fill(start, timeout):
                raise ConnectionClosed('connection closed, partial: %r'
                                       % self.buf[:100])

    async def _readexactly(self, n, start, timeout):
        while len(self.buf) < n:
            if self.eof or not await self._fill(start, timeout):
                raise ConnectionClosed('closed after %d of %d body bytes'
                                       % (len(self.buf), n))
        data = self.buf[:n]
        self.buf = self.buf[n:]
        return data

    async def read_response(self, head=False, timeout=TIMEOUT):
        """Read one full response. Raises ConnectionClosed if the server
        closed before sending one, asyncio.TimeoutError if it stays silent.
        """
        start = now()
        line = await self._readline(start, timeout)
        parts = line.decode().split(' ', 2)
        if len(parts) < 2 or not parts[0].startswith('HTTP/1.'):
            raise ValueError('bad status line %r' % line)
        version = parts[0]
        status = int(parts[1])
        reason = parts[2] if len(parts) > 2 else ''
        headers = []
        while True:
            line = await self._readline(start, timeout)
            if not line:
                break
            name, value = line.decode().split(':', 1)
            headers.append((name.strip().lower(), value.strip()))
        res = RawResponse(version, status, reason, headers, b'', False)
        if head or status in (204, 304) or status < 200:
            return res
        te = res.header('transfer-encoding')
        cl = res.header('content-length')
        if te is not None and 'chunked' in te.lower():
            res.chunked = True
            body = b''
            while True:
                size = int(
                    (await self._readline(start, timeout)).split(b';')[0], 16)
                if size == 0:
                    # trailers until the blank line
                    while await self._readline(start, timeout):
                        pass
                    break
                body += await self._readexactly(size, start, timeout)
                if await self._readline(start, timeout) != b'':
                    raise ValueError('bad chunk terminator')
            res.body = body
        elif cl is not None:
            res.body = await self._readexactly(int(cl), start, timeout)
        else:
            while not self.eof and await self._fill(start, timeout):
                pass
            res.body = self.buf
            self.buf = b''
        return res

    async def drain_until_closed(self, timeout=TIMEOUT):
        """Read and discard until the server closes the connection.

        Returns the number of bytes discarded, or None if the connection
        was still open (and sending) after timeout seconds."""
        start = now()
        total = len(self.buf)
        self.buf = b''
        try:
            while not self.eof:
                await self._fill(start, timeout)
                total += len(self.buf)
                self.buf = b''
        except asyncio.TimeoutError:
            return None
        return total

    async def is_closed(self, timeout=TIMEOUT):
        """True if the server closes the connection within timeout seconds
        (any bytes it sends before closing are kept in self.buf)."""
        start = now()
        try:
            while not self.eof:
                await self._fill(start, timeout)
        except asyncio.TimeoutError:
            return False
        return True


def call(app, method, path, headers=None, body=None, json=None, **kwargs):
    """One request through the TestClient; returns its response."""
    client = make_client(app, **kwargs)
    return run(client.request(method, path, headers=headers, body=body,
                              json=json))


def room_for(res):
    """``res``, unless it is the server's ``503 Out of memory`` on
    MicroPython: then MemoryError, which the test runner reports as a skip
    ("needs more than N KB of RAM"), as for a test that ran out itself. For
    tests of large requests (16 KB bodies, 8 KB heads) that a small
    board's heap may not hold."""
    if IS_MICROPYTHON and res.status_code == 503 and \
            res.text == 'Out of memory':
        raise MemoryError('the server answered 503 Out of memory')
    return res


class Countdown:
    """An async iterator class (MicroPython has no async generators):
    yields "n;", "n-1;", ... "1;", letting other tasks run in between."""

    def __init__(self, n):
        self.n = n

    def __aiter__(self):
        return self

    async def __anext__(self):
        if self.n <= 0:
            raise StopAsyncIteration
        await asyncio.sleep(0)
        self.n -= 1
        return str(self.n + 1) + ';'


def load_example(name):
    """Import ``examples/<name>/app.py`` and return the module.

    Every example is a module named ``app``: it is imported on its own and
    ``sys.modules`` is left as it was, so the examples of several test files
    never stand in for each other in one process. SkipTest when the folder
    is not reachable (a board without the repository mounted)."""
    here = __file__.rpartition('/')[0] or '.'
    path = here + '/../examples/' + name
    saved = sys.modules.pop('app', None)
    sys.path.insert(0, path)
    try:
        import app
    except ImportError as exc:
        raise unittest.SkipTest('examples/%s is not reachable from here: %s'
                                % (name, exc))
    finally:
        sys.path.remove(path)
        sys.modules.pop('app', None)
        if saved is not None:
            sys.modules['app'] = saved
    return app
