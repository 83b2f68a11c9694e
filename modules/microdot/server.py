"""The server: accepting connections, the connection loop, the watchdog.

One task per client connection reads requests one after the other
(HTTP/1.1 keep-alive, pipelining), dispatches each and writes its response.
A single watchdog task enforces the timeouts: a connection records a
deadline while it waits for a request, reads one or writes a response, and
the watchdog cancels connections whose deadline has passed. This costs two
attribute stores per request instead of a ``wait_for`` task per read.
"""
import asyncio
import gc

from .helpers import MICROPYTHON, ticks_ms, ticks_diff, print_exception
from .exceptions import HTTPException
from .connection import Connection, keep_alive
from .request import Request
from .response import Response

CancelledError = asyncio.CancelledError
if MICROPYTHON:
    # core._io_queue, looked up each time: new_event_loop() replaces it
    from asyncio import core


async def serve_connection(app, reader, writer, scheme=None, server=None):
    """Serve every request a client sends on one connection.

    ``server`` is the :class:`Server` that accepted it (None for the test
    client: no deadlines, no connection limits). Returns the last response
    (the test client looks at it).
    """
    res = None
    if server is not None:
        try:
            # at app.max_connections, close the oldest idle kept-alive
            # connection so the new one can be served (running out of heap
            # closes the idle ones too: on_memory_error). Not gc.mem_free()
            # per connection: it scans the whole heap, and halved the rate
            # of new connections on MicroPython.
            limit = app.max_connections
            if limit is not None and len(server.connections) >= limit:
                server.close_idle(None, 1)
            conn = Connection(reader, writer, app, asyncio.current_task())
            server.connections.append(conn)
        except MemoryError:
            # the heap ran out before the connection was watched: close it
            # rather than leave a socket open on a board's small pool
            try:
                writer.close()
            except Exception:
                pass
            server.on_memory_error()
            return None
        scheme = scheme or server.scheme
    else:
        conn = Connection(reader, writer)
    try:
        sock = (conn, conn)  # request.sock, made once per connection
        while True:
            conn.wait_request()
            failed = None
            try:
                if server is not None and conn.pos >= len(conn.buf) and \
                        not await conn.fill():
                    # the wait for the next request, apart: an idle
                    # kept-alive connection then holds no frame of
                    # Request.create() and read_head() (1811 -> 1171 bytes
                    # per idle connection on MicroPython)
                    break
                req = await Request.create(app, conn, None, None, scheme, sock)
            except (HTTPException, MemoryError) as exc:
                conn.busy()
                if isinstance(exc, MemoryError):
                    # a request too large for the heap left (many form
                    # fields on a small board): say so, do not just drop it,
                    # and free what idle connections hold
                    if server is not None:
                        server.close_idle(conn)
                    exc = HTTPException(503, 'Out of memory')
                failed = exc
                # the request, when its head could be read (a body too large
                # or malformed): then the app's error handlers answer it
                req = getattr(failed, 'request', None)
                if req is None:
                    from .errors import reply_bad_request
                    await reply_bad_request(app, conn, failed)
                    break
            if req is None:
                break
            if failed is None:
                conn.handling()
                res = await app.dispatch_request(req)
            else:
                res = await app.handle_exception(req, failed, (app,))
                if req.method == 'HEAD' and res is not Response.already_handled:
                    res.is_head = True  # as dispatch_request() does
            if res is Response.already_handled:
                if conn.takeover is not None:
                    # a WebSocket session, awaited here rather than in a
                    # coroutine of the extension's that would be held for
                    # the connection's life (192 bytes per open WebSocket
                    # on MicroPython)
                    end = conn.takeover_end
                    try:
                        await conn.takeover
                    except BaseException as exc:
                        if end is None:
                            raise
                        await end(exc)  # raises what must go on
                        break
                    if end is not None:
                        await end(None)
                break
            # after a failed request the rest of its body is unread: close
            keep = res.framing(req.http_version, failed is None and
                               app.keep_alive and keep_alive(req) and
                               (server is None or not server.shutting_down))
            conn.busy()
            # to the stream itself: Connection.drain() would add a coroutine
            stream = res.write(conn.writer, '1.1', conn)  # the awaitable
            if app.debug:
                print(req.method, req.path, res.status_code)
            if server is not None:
                # not held while a streamed body lasts (an event stream):
                # the response and its headers, ~350 bytes on MicroPython.
                # The test client reads the last response
                res = None
            await stream
            if not keep:
                if failed is not None:
                    await conn.linger()
                break
            stream = req._stream
            if stream is not None and getattr(stream, 'remaining', 0):
                conn.busy()
                # up to 64 KB of unread body is discarded to keep the
                # connection; past that it is closed
                if not await stream.drain(65536):
                    break
            if server is not None:
                # not held while waiting for the next request: an idle
                # kept-alive connection would keep the last request and
                # response alive (2323 -> 1811 bytes per idle connection
                # on MicroPython). The test client reads the last response
                req = res = stream = None
    except CancelledError:
        # a timeout (the watchdog), or an idle connection closed by the
        # server (close_idle, shutdown): end quietly
        if not (conn.timed_out or conn.idle):
            raise
    except (OSError, EOFError):
        pass  # the client went away
    except MemoryError:
        if server is not None:
            server.close_idle(conn)
    except Exception as exc:
        try:
            print_exception(exc)
        except Exception:
            pass
    finally:
        if server is not None:
            try:
                server.connections.remove(conn)
            except ValueError:
                pass  # the server's shutdown dropped the list
        # conn.aclose() inlined: one coroutine less per connection
        try:
            writer.close()
            await writer.wait_closed()
        except Exception:
            pass  # closing a connection the client already dropped
    return res


class Server:
    """Serves one application: the listening socket, its connections, the
    watchdog that enforces their timeouts, and shutting down.

    ``app.server`` is the running one.
    """

    def __init__(self, app, debug=False):
        self.app = app
        self.debug = debug
        self.connections = []
        self.shutting_down = False
        self.listener = None  # the asyncio server (MicroPython: the accept task)
        self.scheme = 'http'
        self._watchdog = None

    _stopped = None  # CPython: an asyncio.Event set by shutdown()

    async def bind(self, host, port, ssl=None, start_serving=True):
        """Open the listening socket; returns the asyncio server (on
        MicroPython the task accepting connections)."""
        app = self.app
        app.debug = self.debug
        app.server = self
        self.scheme = 'https' if ssl else 'http'
        # what importing the app left behind goes first, so the server's
        # lasting allocations fill its holes rather than land past them: a
        # 64 KB heap then has room for the first requests (without it, a
        # small app from .mpy ran out at its first request)
        gc.collect()

        def handle_request(reader, writer):
            # a plain function: the connection's task runs serve_connection()
            # itself, one coroutine frame less per connection
            return serve_connection(app, reader, writer, None, self)

        if MICROPYTHON:
            if not start_serving:
                raise ValueError('start_serving=False needs CPython')
            self.listener = await listen(self, host, port, handle_request,
                                         ssl)
        else:
            from . import cpython
            self.listener = await cpython.listen(
                self, host, port, handle_request, ssl, start_serving)
        self._watchdog = asyncio.create_task(self._watch())
        if self.debug:
            print('Starting server on %s:%d...' % (host, port))
        return self.listener

    async def serve(self, host, port, ssl=None):
        """Serve until :meth:`shutdown`."""
        await self.bind(host, port, ssl)
        try:
            if MICROPYTHON:
                # the accept task returns when shutdown() cancels it (no
                # asyncio.Event: its module is 1.2 KB of heap)
                await self.listener
            else:
                # not the listener's wait_closed(): on CPython it also waits
                # for every open connection, and a WebSocket may stay open
                # for days
                await self._stopped.wait()
            # the requests in progress get at most request_timeout to end;
            # then the connections left (WebSocket, SSE) are cancelled
            waited = 0
            while self.connections and \
                    waited < self.app.request_timeout * 1000:
                await asyncio.sleep(0.02)
                waited += 20
        finally:
            self._watchdog.cancel()
            for conn in list(self.connections):
                conn.task.cancel()
            self.connections = []
            self.app.server = None

    # -- connections ------------------------------------------------------

    def on_memory_error(self):
        """The heap ran out outside a request: free what idle
        connections hold."""
        try:
            self.close_idle(None)
        except MemoryError:
            pass  # no room even to list the connections
        gc.collect()

    def close_idle(self, conn, count=None):
        """Close up to ``count`` (default: all) connections waiting for a
        next request, oldest first, except ``conn``: under memory pressure
        or at the connection limit, new requests come first."""
        # it runs when the heap is out of room, so it allocates nothing:
        # no copy of the list (cancel() only schedules the tasks, none
        # leaves the list here)
        for other in self.connections:
            if count is not None and count <= 0:
                break
            # an idle connection waits under a deadline; None once it is
            # cancelled (the attribute exists already: nothing allocated)
            if other is not conn and other.idle and \
                    other.deadline is not None:
                other.deadline = None
                other.task.cancel()
                if count is not None:
                    count -= 1

    async def _watch(self):
        app = self.app
        while True:
            try:
                timeout = min(app.idle_timeout, app.request_timeout)
                await asyncio.sleep(max(0.05, min(1, timeout / 4)))
                now = ticks_ms()
                for conn in self.connections:
                    if conn.deadline is not None and \
                            ticks_diff(now, conn.deadline) >= 0:
                        conn.deadline = None
                        conn.timed_out = True
                        conn.task.cancel()
            except MemoryError:
                self.on_memory_error()  # the watchdog must not stop

    # -- shutting down ----------------------------------------------------

    def shutdown(self):
        """Stop accepting connections and close the idle ones.

        On CPython this may be called from another thread (a test, a signal
        handler): the work is then handed to the server's own loop (see
        :func:`microdot.cpython.listen`).
        """
        self.shutting_down = True
        listener = self.listener
        if listener is not None:
            # MicroPython's is the accept task (see listen())
            listener.cancel() if MICROPYTHON else listener.close()
        self.close_idle(None)
        if self._stopped is not None:
            self._stopped.set()


class SocketStream:
    """MicroPython: an accepted socket as the stream a connection reads and
    writes (asyncio's ``read``, ``write``, ``drain``, ``close``,
    ``wait_closed``, ``get_extra_info``).

    Not asyncio's own ``Stream``: importing ``asyncio.stream`` costs 1.9 KB
    of heap, and its ``Stream`` keeps the peer address in a dict (96 bytes
    more per connection).
    """
    out_buf = b''  # what a write could not send at once (drain() sends it)

    def __init__(self, sock, addr):
        self.s = sock
        self.addr = addr

    def get_extra_info(self, name, default=None):
        """``'peername'``: the client's address, as asyncio gives it."""
        return self.addr if name == 'peername' else default

    def read(self, n):  # async, as a generator (asyncio's own style)
        """Up to ``n`` bytes once some arrive; b'' at the end of the
        stream. (No read-to-the-end with ``n`` < 0, which asyncio has: the
        connection always asks for a size.)"""
        while True:
            yield core._io_queue.queue_read(self.s)
            data = self.s.read(n)
            if data is not None:
                return data

    def write(self, data):
        """Send what the socket takes now, buffer the rest for drain()."""
        if not self.out_buf:
            sent = self.s.write(data)
            if sent == len(data):
                return
            if sent is not None:
                data = data[sent:]
        self.out_buf += data

    def drain(self):  # async
        """Wait until the buffered bytes are sent."""
        if not self.out_buf:
            return (yield from asyncio.sleep_ms(0))
        view = memoryview(self.out_buf)
        sent = 0
        while sent < len(view):
            yield core._io_queue.queue_write(self.s)
            n = self.s.write(view[sent:])
            if n is not None:
                sent += n
        self.out_buf = b''

    def close(self):
        pass  # wait_closed() closes the socket, as asyncio's does

    async def wait_closed(self):
        self.s.close()


async def accept(server, sock, handle_request, ssl):
    # MicroPython's accept loop. asyncio's own lets a MemoryError raised
    # while it wraps a new connection end its task: the server stops
    # listening, the process exits, and the accepted socket is left open
    # (on a board with a fixed socket pool, repeats exhaust it). This one
    # closes such a socket, frees idle connections, and goes on.
    while True:
        try:
            yield core._io_queue.queue_read(sock)
        except CancelledError:
            sock.close()
            return
        except MemoryError:
            # no room to wait on the socket: free what idle connections
            # hold, let them close, and wait again (serve() awaits this
            # task: it must not end). sleep_ms() allocates nothing
            server.on_memory_error()
            await asyncio.sleep_ms(50)
            continue
        try:
            client, addr = sock.accept()
        except Exception:
            continue  # a failed accept (also MemoryError): try again
        try:
            # send small writes at once (TCP_NODELAY), as CPython's asyncio
            # does: without it a kept-alive response written in two pieces
            # waits ~40 ms for the client's delayed ACK
            try:
                client.setsockopt(6, 1, 1)  # IPPROTO_TCP, TCP_NODELAY
            except Exception:
                pass  # a port without the option
            if ssl:
                client = ssl.wrap_socket(client, server_side=True,
                                         do_handshake_on_connect=False)
            client.setblocking(False)
            stream = SocketStream(client, addr)
            asyncio.create_task(handle_request(stream, stream))
        except Exception as exc:
            try:
                client.close()  # never leave an accepted socket unwatched
            except Exception:
                pass
            if isinstance(exc, MemoryError):
                server.on_memory_error()


async def listen(server, host, port, handle_request, ssl):
    """Bind and listen on MicroPython; returns the task running
    :func:`accept` (cancelling it closes the socket)."""
    import socket
    info = socket.getaddrinfo(host, port)[0]
    sock = socket.socket(info[0])
    sock.setblocking(False)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(info[-1])
    sock.listen(5)
    task = asyncio.create_task(accept(server, sock, handle_request, ssl))
    await asyncio.sleep_ms(0)  # let accept() start, so cancel() is handled
    return task
