"""HTTP errors, at the bottom of the imports: every module may raise them."""


class HTTPException(Exception):
    """Raise to end a request with ``status_code`` (see :func:`abort`).

    ``reason`` becomes the body of the default error response.
    """

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


class ProtocolError(HTTPException):
    """A request the framework itself refuses (malformed, too large).

    Its default reply has upstream Microdot's body for the status
    (``Bad request``, ``Payload too large``, ...), so existing apps' tests
    see the same text, and carries the detail (``Invalid Content-Length``)
    as the reason phrase of the status line. The core gives ``reason`` as a
    number, an index into :data:`microdot.errors.DETAILS` (a board holds no
    message text until an error happens); :func:`microdot.errors.detail_text`
    turns either form into text.
    """
