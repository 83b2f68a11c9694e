"""The HTTP/1 wire: one client connection, read and written in one place.

A :class:`Connection` owns the buffered reader over the client's stream,
the writer, the deadline the server's watchdog enforces, the reading of
request heads and lines, the keep-alive decision and the lingering close.
Everything above it (body, request, response) reads and writes through it;
only it and the watchdog touch deadlines.

It is also what extensions get as ``request.sock``: the same object as
reader (``read``, ``readexactly``, ``readline``) and writer (``write``,
``drain``, ``awrite``, ``aclose``, ``close``, ``wait_closed``), on CPython
and MicroPython alike.
"""
from .exceptions import HTTPException, ProtocolError
from .helpers import MICROPYTHON, ticks_ms, ticks_add, add_methods, \
    method_on_first_use

class Connection:
    """A client connection: buffered reads, writes and deadlines.

    ``stream`` is the asyncio stream to read from, ``writer`` the one to
    write to (the same object on MicroPython). ``app`` gives the timeouts
    (``idle_timeout``, ``request_timeout``); without one (the test client)
    no deadlines are kept. ``task`` is the task serving the connection,
    cancelled by the watchdog when the deadline passes.
    """

    # 512: one read holds a typical request head, and a small board's heap
    # finds a free 512-byte block more easily than a 1 KB one
    chunk_size = 512

    def __init__(self, stream, writer=None, app=None, task=None):
        self.stream = stream
        self.writer = writer
        if app is not None:
            self.app = app
            self.task = task

    # Defaults a connection changes later, if at all: an instance's
    # attributes are a dict that MicroPython regrows one slot at a time, so
    # each attribute set here would cost ~100 bytes per connection
    app = None
    task = None
    buf = b''
    pos = 0
    deadline = None
    idle = True
    timed_out = False
    #: A coroutine that takes the connection over once the response (which
    #: is ``Response.already_handled``) is out of the dispatch: the session
    #: of a WebSocket. The server awaits it, then closes the connection.
    takeover = None
    #: None, or ``async def end(exc)`` that the server awaits once
    #: :attr:`takeover` is over: ``exc`` is None when it returned, else the
    #: exception that ended it, handled by ``end`` (which raises it again
    #: for it to go on, as a server shutdown's cancellation must).
    takeover_end = None

    def __getattr__(self, name):
        # readline(), awrite(), close(), linger() and the other methods the
        # core does not call are in microdot.connection_extras, added to the
        # class on first use (see there); only MicroPython gets here
        return method_on_first_use(self, Connection, name,
                                   'connection_extras', 'ConnectionExtras')

    # -- deadlines (the watchdog reads them) ------------------------------

    def wait_request(self):
        """Waiting for the next request: under ``idle_timeout``."""
        self.idle = True
        if self.app is not None:
            self.deadline = ticks_add(ticks_ms(),
                                      int(self.app.idle_timeout * 1000))

    def busy(self):
        """A request started arriving, or a write is under way: under
        ``request_timeout``."""
        self.idle = False
        if self.app is not None:
            self.deadline = ticks_add(ticks_ms(),
                                      int(self.app.request_timeout * 1000))

    def handling(self):
        """The application is working on a request: under no timeout."""
        self.idle = False
        self.deadline = None

    # -- reading ----------------------------------------------------------

    async def fill(self):
        """Read the next piece of the stream into the buffer; False at the
        end of the stream. (The server waits for a next request with it,
        so an idle connection holds no frame of :meth:`read_head`.)"""
        if self.pos >= len(self.buf):
            # what was read is not held while waiting (an idle kept-alive
            # connection: the last request's bytes)
            self.buf = b''
            self.pos = 0
        try:
            data = await self.stream.read(self.chunk_size)
        except MemoryError:
            # a fragmented small heap may have the bytes but no free block
            # of chunk_size: a smaller read (nothing was taken off the
            # socket, the read buffer is allocated first)
            data = await self.stream.read(64)
        if not data:
            return False
        buf = self.buf
        self.buf = (buf[self.pos:] + data) if self.pos < len(buf) else data
        self.pos = 0
        return True

    async def read_head(self, max_line, limit):
        """Return the next request head (the bytes before the blank line).

        None when the stream ends cleanly before a request. Raises
        HTTPException 414 for a request line over ``max_line`` bytes, 431
        for a head over ``limit`` bytes, 400 for a head cut short.
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
            if j >= 0 or i >= 0:
                crlf = j < 0 and i > pos and buf[i - 1] == 13
                if j >= 0:
                    end = j + 2
                    head = buf[pos:j]
                else:
                    end = i + 3
                    head = buf[pos:i - 1] if crlf else buf[pos:i]
                if not crlf:  # bare-LF lines (then maybe a CRLF blank line)
                    head = head.replace(b'\r\n', b'\n') \
                        .replace(b'\n', b'\r\n')
                if end < len(buf):
                    self.pos = end
                else:
                    # nothing after the head: drop the read buffer, which a
                    # WebSocket or a slow handler would otherwise hold for
                    # the connection's life
                    self.buf = b''
                    self.pos = 0
                return head
            size = len(buf) - pos
            if size:
                if not started:
                    self.busy()
                started = True
                if size > max_line and buf.find(b'\n', pos,
                                                pos + max_line + 2) < 0:
                    raise ProtocolError(414)
                if size > limit:
                    raise ProtocolError(431)
            if not await self.fill():
                if size:
                    raise ProtocolError(400, 12)  # Incomplete request
                return None

    async def read(self, n=-1):
        """Return up to ``n`` bytes (fewer at the end of the stream; with
        ``n`` < 0, what is buffered or the next read)."""
        if self.pos >= len(self.buf):
            if n > self.chunk_size:
                return await self.stream.read(n)
            if not await self.fill():
                return b''
        if n < 0:
            n = len(self.buf) - self.pos
        data = self.buf[self.pos:self.pos + n]
        self.pos += len(data)
        return data

    def send_continue(self, headers):
        """Answer ``Expect: 100-continue`` in ``headers`` (a request about
        to be read), so clients like curl send the body."""
        expect = headers.get_lower('expect')
        if expect and expect.lower() == '100-continue' and \
                self.writer is not None:
            self.write(b'HTTP/1.1 100 Continue\r\n\r\n')

    async def readexactly(self, n):
        """Return exactly ``n`` bytes; EOFError if the stream ends first."""
        data = b''
        while len(data) < n:
            chunk = await self.read(n - len(data))
            if not chunk:
                raise EOFError('connection closed')
            data = chunk if not data else data + chunk
        return data

    bare_lf = False  # see read_line()

    # -- writing ----------------------------------------------------------


if not MICROPYTHON:
    from .connection_extras import ConnectionExtras
    add_methods(Connection, ConnectionExtras)


def keep_alive(request):
    """Whether the client wants the connection kept after ``request``."""
    value = request.headers.get_lower('connection')
    if request.http_version == '1.0':
        return value is not None and value.lower() == 'keep-alive'
    return value is None or 'close' not in value.lower()
