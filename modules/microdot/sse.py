"""Server-Sent Events (the ``text/event-stream`` format) for route handlers.

    from microdot.sse import with_sse

    @app.route('/events')
    @with_sse
    async def events(request, sse):
        for i in range(10):
            await asyncio.sleep(1)
            await sse.send({'counter': i})       # an unnamed event
        await sse.send('end', event='comment')   # a named event

The handler (the *event function*) runs as its own task while the response
streams. When the client goes away, the next write fails and the event
function is cancelled (``asyncio.CancelledError`` in it); an exception it
raises is logged and ends the stream. Keepalive comments
(``with_sse(keepalive=15)``) make that write happen even when there is
nothing to send, so a client that left is noticed within that many seconds.
"""
import asyncio
import json

from .helpers import print_exception, ticks_ms, ticks_diff
from .response import Response

CancelledError = asyncio.CancelledError


def _clean(value):
    # a line break in a field name would end the field early
    return str(value).replace('\r', ' ').replace('\n', ' ').encode()


def format_event(data, event=None, event_id=None, retry=None, comment=False):
    """One event as bytes, ready for the stream (see :meth:`SSE.send`)."""
    out = b''
    if comment:
        prefix = b': '
    else:
        prefix = b'data: '
        if event is not None:
            out += b'event: ' + _clean(event) + b'\n'
        if event_id is not None:
            out += b'id: ' + _clean(event_id) + b'\n'
        if retry is not None:
            out += b'retry: %d\n' % int(retry * 1000)
    if data is not None:
        if isinstance(data, (dict, list)):
            data = json.dumps(data).encode()
        elif isinstance(data, str):
            data = data.encode()
        elif not isinstance(data, (bytes, bytearray)):
            data = str(data).encode()
        # each line its own data: line, so a newline can not end the event
        for line in bytes(data).replace(b'\r\n', b'\n').replace(b'\r', b'\n') \
                .split(b'\n'):
            out += prefix + line + b'\n'
    return out + b'\n'


class SSE:
    """An event stream, given to a :func:`with_sse` handler.

    On the framework's own server the event function runs in the
    connection's task and ``send()`` writes straight to the socket (no
    extra task or queue per stream: RAM on a board). Behind ASGI/WSGI it
    runs as a task whose events the response body hands over one at a
    time. Either way ``send()`` returns once the event is on its way, so a
    slow client slows the sender down instead of filling the heap. When
    the client went away, ``send()`` cancels the event function
    (``CancelledError`` in it; ``OSError`` in any other task).

    It is also the response's body (an async iterator): one object per
    stream instead of two.
    """
    #: seconds between keepalive comments (None: none), for every stream
    #: whose route sets no ``keepalive`` of its own
    keepalive = None
    is_sse = True  # how pub/sub tells an SSE from a WebSocket
    # as the response's body, its pieces need no wrapper: non-empty bytes
    # (see Response.body_iter)
    ready_pieces = True
    closed = False
    # class defaults: each attribute an instance stores costs 16 bytes of
    # heap for as long as the stream is open
    _done = False
    _call = None        # (event function, args, kwargs) until it starts
    _every = None       # seconds between keepalive comments
    _res = None         # the response, until the event function starts
    _task = None        # queue mode: the event function's task
    _conn_task = None   # the task serving the connection
    _sock = None        # direct mode: (reader, writer) of the connection
    _chunked = False
    _callbacks = None
    _queue = None
    _event = None
    _taken = None
    _pinger = None
    _last = 0

    async def send(self, data, event=None, event_id=None, retry=None,
                   comment=False):
        """Send an event.

        ``data``: a dict or list goes as JSON, bytes and str as they are,
        anything else as ``str(data)``; a multi-line value becomes several
        ``data:`` lines. ``event`` names the event, ``event_id`` sets its
        id, ``retry`` (seconds) the client's reconnection delay, and
        ``comment=True`` sends ``data`` as a comment line (a heartbeat the
        browser ignores).
        """
        if self.closed:
            self._gone()
        piece = format_event(data, event, event_id, retry, comment)
        if self._sock is not None:
            await self._write(piece)
            return
        queue = self._queue
        queue.append(piece)
        self._event.set()
        while queue and not self.closed:
            self._taken.clear()
            await self._taken.wait()
        if self.closed and queue:
            self._gone()

    async def _write(self, piece):
        """Direct mode: one write per event, framed as the response is."""
        if self._chunked:
            piece = b'%x\r\n' % len(piece) + piece + b'\r\n'
        reader, writer = self._sock
        self._last = ticks_ms()
        busy = getattr(reader, 'busy', None)  # the server's write deadline
        try:
            writer.write(piece)
            if busy is not None:
                busy()
            await writer.drain()
            if busy is not None:
                reader.handling()
        except (OSError, EOFError):
            self._gone()

    def _gone(self):
        if asyncio.current_task() is self._conn_task and \
                self._sock is not None:
            self._close()
            raise CancelledError()  # the event function, as if cancelled
        self.abort()
        raise OSError(32, 'the event stream is closed')

    def on_close(self, callback):
        """Call ``callback(sse)`` when the stream ends."""
        if self._callbacks is None:
            self._callbacks = []
        self._callbacks.append(callback)

    def abort(self):
        """End the stream now (a stalled client): the event function and
        the connection's task are cancelled."""
        task = self._conn_task
        was_open = not self.closed
        self._close()
        if was_open and task is not None and \
                task is not asyncio.current_task():
            task.cancel()

    async def _keepalive(self, interval):
        while not self.closed:
            await asyncio.sleep(interval)
            if not self.closed and \
                    ticks_diff(ticks_ms(), self._last) >= interval * 900:
                try:
                    await self._write(b':\n\n')  # a comment
                except (OSError, CancelledError):
                    return

    async def _run(self, f, args, kwargs):
        try:
            await f(*args, **kwargs)
        except CancelledError:
            pass
        except Exception as exc:
            print_exception(exc)
        finally:
            self._done = True
            self._event.set()

    def _close(self):
        if self.closed:
            return
        self.closed = True
        if self._event is not None:
            self._event.set()
            self._taken.set()
        me = asyncio.current_task()
        for task in (self._task, self._pinger):
            if task is not None and task is not me:
                task.cancel()
        callbacks = self._callbacks
        self._callbacks = None
        for f in callbacks or ():
            try:
                f(self)
            except Exception as exc:
                print_exception(exc)

    # -- the response body: what the event function sends, as it comes --

    def __aiter__(self):
        return self

    def __anext__(self):
        # not a coroutine itself: on the framework's own server the
        # event function runs under _direct() alone, one coroutine frame
        # less held per open stream (160 bytes on MicroPython)
        call = self._call
        if call is not None:  # the head is out: start the event function
            self._call = None
            self._conn_task = asyncio.current_task()
            sock = call[1][0].sock  # the request's connection
            res = self._res
            self._res = None
            if sock is not None and res is not None:
                self._sock = sock
                if res.headers.get('Transfer-Encoding') == 'chunked':
                    self._chunked = True
                return self._direct(call)
            self._queue = []
            self._event = asyncio.Event()   # an event is waiting
            self._taken = asyncio.Event()   # the queue was emptied
            self._task = asyncio.create_task(self._run(*call))
        elif self._queue is None:
            return _stop()  # direct mode, done
        return self._next()

    async def _next(self):
        """Queue mode: the next event the event function queued."""
        queue = self._queue
        while not queue:
            if self._done or self.closed:
                raise StopAsyncIteration
            self._event.clear()
            if self._every:
                try:
                    await asyncio.wait_for(self._event.wait(), self._every)
                except asyncio.TimeoutError:
                    return b':\n\n'  # a comment: keeps the line alive
            else:
                await self._event.wait()
        data = queue.pop(0)
        if not queue:
            self._taken.set()  # wakes the sender
        return data

    async def _direct(self, call):
        if self._every:
            self._last = ticks_ms()
            self._pinger = asyncio.create_task(self._keepalive(self._every))
        try:
            coro = call[0](*call[1], **call[2])
            call = None  # the tuples and kwargs are not held for the stream
            await coro
        except CancelledError:
            if not self.closed:
                raise  # not the client: the server's timeout or shutdown
        except Exception as exc:
            print_exception(exc)
        finally:
            self._done = True
            if self._pinger is not None:
                self._pinger.cancel()
        if self.closed:
            raise OSError(32, 'the client went away')
        raise StopAsyncIteration

    async def aclose(self):
        self._close()


async def _stop():
    raise StopAsyncIteration


def sse_response(request, event_function, *args, **kwargs):
    """A streamed response whose events come from
    ``event_function(request, sse, *args, **kwargs)``."""
    return _response(request, event_function, args, kwargs, SSE.keepalive)


def _response(request, f, args, kwargs, keepalive):
    sse = SSE()
    sse._call = (f, (request, sse) + tuple(args), kwargs)
    if keepalive:
        sse._every = keepalive
    sse._res = res = Response(sse, headers={
        'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache'})
    return res


def with_sse(f=None, keepalive=None):
    """Decorator: make a route handler an SSE event function, called as
    ``f(request, sse, **url_args)``.

    Use bare (``@with_sse``) or with ``keepalive`` (seconds between
    keepalive comments when no event is sent; default ``SSE.keepalive``).
    """
    if f is None:
        return lambda g: with_sse(g, keepalive)
    return _Handler(f, keepalive)


class _Handler:
    # a class, not a closure: it keeps the handler's __name__ on MicroPython
    def __init__(self, f, keepalive):
        self.f = f
        self.__name__ = getattr(f, '__name__', 'sse')
        self.keepalive = keepalive

    async def __call__(self, request, *args, **kwargs):
        keepalive = self.keepalive
        if keepalive is None:
            keepalive = SSE.keepalive
        return _response(request, self.f, args, kwargs, keepalive)
