"""The connection loop and the server around an application.

One task per client connection reads requests one after the other
(HTTP/1.1 keep-alive, pipelining), dispatches each and writes its response.
A single watchdog task enforces the timeouts: a connection records a
deadline while it waits for a request, reads one or writes a response, and
the watchdog cancels connections whose deadline has passed. This costs two
attribute stores per request instead of a ``wait_for`` task per read.
"""
import asyncio

from .helpers import MICROPYTHON, ticks_ms, ticks_add, ticks_diff, \
    print_exception
from .request import Request, HTTPException, ConnectionReader
from .response import Response

CancelledError = asyncio.CancelledError

# unread request body bytes discarded to keep a connection; past it, close
DRAIN_LIMIT = 64 * 1024


class _Connection:
    """A connection's watchdog record."""

    def __init__(self, app, task):
        self.app = app
        self.task = task
        self.deadline = None
        self.idle = True
        self.timed_out = False

    def wait_request(self):
        self.idle = True
        self.deadline = ticks_add(ticks_ms(),
                                  int(self.app.idle_timeout * 1000))

    def busy(self):
        """A request started, or a write is under way: request_timeout."""
        self.idle = False
        self.deadline = ticks_add(ticks_ms(),
                                  int(self.app.request_timeout * 1000))

    def handling(self):
        self.idle = False
        self.deadline = None


def _keep_alive(req):
    """Whether the client wants the connection kept after this request."""
    value = req.headers.get_lower('connection')
    if req.http_version == '1.0':
        return value is not None and value.lower() == 'keep-alive'
    return value is None or 'close' not in value.lower()


async def serve_connection(app, reader, writer, scheme=None):
    """Serve every request a client sends on one connection."""
    conns = app._connections
    conn = None
    if conns is not None:
        conn = _Connection(app, asyncio.current_task())
        conns.append(conn)
    creader = ConnectionReader(reader)
    sock = (creader, writer)
    if conn is not None:
        creader.conn = conn
    try:
        while True:
            if conn is not None:
                conn.wait_request()
            failed = None
            try:
                req = await Request.create(app, creader, writer, None,
                                           scheme or app.scheme, sock)
            except (HTTPException, MemoryError) as exc:
                if conn is not None:
                    conn.busy()
                # MemoryError: a request too large for the heap left (many
                # form fields on a small board); say so, do not just drop it
                failed = exc if isinstance(exc, HTTPException) else \
                    HTTPException(503, 'Out of memory')
                # the request, when its head could be read (a body too large
                # or malformed): then the app's error handlers answer it
                req = getattr(failed, 'request', None)
                if req is None:
                    from .errors import reply_bad_request
                    await reply_bad_request(app, creader, writer, failed,
                                            conn)
                    break
            if req is None:
                break
            if failed is None:
                if conn is not None:
                    conn.handling()
                res = await app.dispatch_request(req)
            else:
                res = await app.handle_exception(req, failed, (app,))
                if req.method == 'HEAD' and res is not Response.already_handled:
                    res.is_head = True  # as dispatch_request() does
            if res is Response.already_handled:
                break
            # after a failed request the rest of its body is unread: close
            keep = failed is None and not app._shutting_down and \
                _keep_alive(req)
            res.complete()
            headers = res.__dict__.get('headers')
            if not isinstance(res.body, bytes) and \
                    (headers is None or 'Content-Length' not in headers):
                if req.http_version == '1.1' and not res.is_head:
                    res.headers['Transfer-Encoding'] = 'chunked'
                else:
                    keep = False
            if keep and headers is not None:
                value = headers.get('Connection')
                if value is not None and value.lower() == 'close':
                    keep = False
            value = 'close' if not keep else \
                'keep-alive' if req.http_version == '1.0' else None
            if value is not None:
                if res.__dict__.get('headers') is None:
                    res._connection = value  # keeps the one-piece head
                else:
                    res.headers['Connection'] = value
            if conn is not None:
                conn.busy()
            await res.write(writer, '1.1', conn)
            if app.debug:
                print('%s %s %d' % (req.method, req.path, res.status_code))
            if not keep:
                if failed is not None:
                    from .errors import linger
                    await linger(creader, conn)
                break
            stream = req._stream
            if stream is not None and getattr(stream, "remaining", 0):
                if conn is not None:
                    conn.busy()
                if not await stream.drain(DRAIN_LIMIT):
                    break
    except CancelledError:
        if conn is None or not conn.timed_out:
            raise
    except (OSError, EOFError):
        pass  # the client went away
    except Exception as exc:
        print_exception(exc)
    finally:
        if conn is not None:
            conns.remove(conn)
        try:
            writer.close()
            await writer.wait_closed()
        except (Exception, CancelledError):
            pass


async def _watchdog(app):
    while True:
        timeout = min(app.idle_timeout, app.request_timeout)
        await asyncio.sleep(max(0.05, min(1, timeout / 4)))
        now = ticks_ms()
        for conn in app._connections:
            if conn.deadline is not None and \
                    ticks_diff(now, conn.deadline) >= 0:
                conn.deadline = None
                conn.timed_out = True
                conn.task.cancel()


async def serve(app, host, port, debug, ssl):
    """Run the server for ``app`` until :func:`shutdown`."""
    app.debug = debug
    app.scheme = 'https' if ssl else 'http'
    app._shutting_down = False
    app._connections = []
    if not MICROPYTHON:
        app._loop = asyncio.get_running_loop()

    async def on_connection(reader, writer):
        await serve_connection(app, reader, writer)

    if ssl:
        app.server = await asyncio.start_server(on_connection, host, port,
                                                ssl=ssl)
    else:
        app.server = await asyncio.start_server(on_connection, host, port)
    if debug:
        print('Starting server on %s:%d...' % (host, port))
    watchdog = asyncio.create_task(_watchdog(app))
    try:
        await app.server.wait_closed()
        # wait_closed() returns at once on some runtimes: wait ourselves for
        # the requests in progress, for at most request_timeout
        waited = 0
        while app._connections and waited < app.request_timeout * 1000:
            await asyncio.sleep(0.02)
            waited += 20
    finally:
        watchdog.cancel()
        for conn in list(app._connections):
            conn.task.cancel()
        app._connections = None
        app.server = None
        app._loop = None


def shutdown(app):
    """Stop accepting connections and close the idle ones.

    On CPython this may be called from another thread (a test, a signal
    handler): the work is then handed to the server's own loop.
    """
    loop = app.__dict__.get('_loop')
    if loop is not None:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is not loop:
            loop.call_soon_threadsafe(_shutdown, app)
            return
    _shutdown(app)


def _shutdown(app):
    app._shutting_down = True
    if app.server is not None:
        app.server.close()
    for conn in app._connections or ():
        if conn.idle:
            conn.timed_out = True
            conn.task.cancel()
