"""The error path: error handlers and default error responses.

Imported on the first error, so a board that serves only good requests
does not hold it in RAM.
"""
from .helpers import invoke_handler, print_exception, ticks_ms, ticks_add
from .exceptions import HTTPException, ProtocolError
from .response import Response, reason_phrase
from .routing import lookup

# the bodies of the default error responses, as upstream Microdot has them
_BODIES = {400: 'Bad request', 404: 'Not found', 405: 'Not found',
           413: 'Payload too large', 500: 'Internal server error'}

# The details of requests the core refuses, by number: request.py and
# connection.py raise ``ProtocolError(400, 5)`` rather than a message, since
# each str constant over 10 characters costs a board 64 bytes of heap while
# its module is loaded (~800 bytes for these), and this table loads only
# with the first error.
DETAILS = ('Malformed request', 'Malformed request line', 'Malformed method',
           'Malformed URL', 'Too Many Headers', 'Malformed header',
           'Malformed header name', 'Missing Host header',
           'Invalid Host header', 'Unsupported Transfer-Encoding',
           'Invalid Content-Length', 'Incomplete body', 'Incomplete request')


def detail_text(exc):
    """The detail of a :class:`ProtocolError`, as text."""
    reason = exc.reason
    return DETAILS[reason] if isinstance(reason, int) else reason


def error_response(status, reason=None, detail=None):
    """The default response for ``status``: ``reason`` as the body if given,
    else the standard text; ``detail`` as the status line's phrase."""
    body = reason or _BODIES.get(status) or reason_phrase(status)
    return Response(body, status, reason=detail)


async def handle_exception(app, req, exc, chain):
    """Turn an exception raised while serving ``req`` into a response,
    through the most specific error handler, then run the
    after-error-request hooks."""
    try:
        res = await _error_response(app, req, exc, chain)
        for each in chain:
            for handler in each.after_error_request_handlers:
                res = app.make_response(
                    await invoke_handler(handler, req, res) or res)
    except Exception as exc2:
        print_exception(exc2)
        res = error_response(500)
    return res


async def _error_response(app, req, exc, chain):
    if isinstance(exc, HTTPException):
        status = exc.status_code
        handler = _find_handler(chain, status)
        if handler is not None:
            res = app.make_response(await invoke_handler(handler, req))
        elif isinstance(exc, ProtocolError):
            res = error_response(status, None, detail_text(exc))
        else:
            res = error_response(status, exc.reason)
        if status == 405 and req is not None and 'Allow' not in res.headers:
            allowed = lookup(app.url_map, req.method, req.path)[1]
            if allowed:
                res.headers['Allow'] = ', '.join(allowed)
        return res
    best = None
    for each in chain:
        for key, handler in each.error_handlers.items():
            if isinstance(key, type) and isinstance(exc, key):
                if best is None or issubclass(key, best[0]):
                    best = (key, handler)
    if best is not None:
        return app.make_response(await invoke_handler(best[1], req, exc))
    if isinstance(exc, MemoryError):
        # the heap ran out (a small board, a large request): not a bug to
        # print, and the client may try again later
        return Response('Out of memory', 503)
    print_exception(exc)
    handler = _find_handler(chain, 500)
    if handler is not None:
        return app.make_response(await invoke_handler(handler, req))
    return error_response(500)


def _find_handler(chain, key):
    for i in range(len(chain) - 1, -1, -1):
        handler = chain[i].error_handlers.get(key)
        if handler is not None:
            return handler
    return None


async def reply_bad_request(app, conn, exc):
    """Answer a request whose head could not be read (no request object
    exists to give an error handler), then wind down with a linger."""
    status = exc.status_code
    res = error_response(status, None, detail_text(exc)) \
        if isinstance(exc, ProtocolError) else error_response(status,
                                                              exc.reason)
    res.headers['Connection'] = 'close'
    await res.write(conn)
    if app.debug:
        print('? ? %d (bad request)' % status)
    await conn.linger()


async def linger(conn):
    """Read and drop what a client still sends after an error response.

    Closing a socket with unread input makes the kernel reset the
    connection, and the client may then lose the error response it was
    just sent. So a bounded amount of its input is read, for a short
    while, before the connection closes.
    """
    if conn.app is not None:
        conn.deadline = ticks_add(ticks_ms(), LINGER_MS)
    total = 0
    while total < LINGER_LIMIT:
        data = await conn.read(1024)
        if not data:
            break
        total += len(data)


# how long (ms) and how much a connection closed after a bad request reads
LINGER_MS = 1000
LINGER_LIMIT = 64 * 1024
