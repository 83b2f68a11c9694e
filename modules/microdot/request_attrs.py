"""The lazily computed attributes of a :class:`~microdot.request.Request`
(``args``, ``cookies``, ``json``, ``form``, ``g``, ...), loaded the first
time a request is asked for one of them."""
import json

from .exceptions import ProtocolError
from .helpers import method_on_first_use
from .request import Request


def compute(self, name):
    """The value of attribute ``name`` of request ``self``, stored on it
    (later reads are plain look-ups), or one of the :class:`RequestExtras`
    methods; AttributeError for a name that is neither."""
    if name == 'args':
        from .urls import parse_urlencoded
        try:
            value = parse_urlencoded(self.query_string)
        except UnicodeError:
            raise ProtocolError(400, 'Invalid query string')
    elif name == 'cookies':
        value = _parse_cookies(self.headers.get('Cookie'))
    elif name == 'json':
        value = None
        if self.body and _mime(self.content_type) == 'application/json':
            try:
                value = json.loads(self.body)
            except (ValueError, UnicodeError, RuntimeError):
                # RuntimeError: CPython's RecursionError, deep nesting
                raise ProtocolError(400, 'Invalid JSON body')
    elif name == 'form':
        value = None
        if _mime(self.content_type) == \
                'application/x-www-form-urlencoded':
            from .urls import parse_urlencoded
            try:
                value = parse_urlencoded(self.body.decode())
            except UnicodeError:
                raise ProtocolError(400, 'Invalid form body')
    elif name == 'client_addr':
        value = peer_address(self.sock[1]) if self.sock else None
    elif name == 'content_length':
        value = self.headers.get('Content-Length')
        value = int(value) if value and not value.strip('0123456789') else 0
    elif name == 'content_type':
        value = self.headers.get('Content-Type')
    elif name == 'g':
        value = Request.G()
    elif name == 'files':
        value = {}  # filled by the multipart extension
    elif name == 'stream':
        from .body import BytesStream
        value = BytesStream(self.body)
    elif name == 'after_request_handlers':
        value = self._after = []
    else:
        return method_on_first_use(self, Request, name, 'request_attrs',
                                   'RequestExtras')
    setattr(self, name, value)
    return value


class RequestExtras:
    """The methods of :class:`~microdot.request.Request` few handlers
    call, added to it on first use (see :func:`microdot.helpers.add_methods`).
    """

    def url_for(self, endpoint, **values):
        """The URL of ``endpoint`` (see :meth:`Microdot.url_for`), with
        this request's scheme and host for ``_external=True``."""
        from .urlfor import url_for
        return url_for(self.app, endpoint, values, self)

    def after_request(self, f):
        """Register ``f(request, response)`` to run after this request only.

        It runs after the application's after-request handlers and may
        return a new response.
        """
        self.after_request_handlers.append(f)
        return f


def _mime(content_type):
    return content_type.split(';')[0].strip().lower() if content_type \
        else None


def _parse_cookies(header):
    cookies = {}
    if header:
        for item in header.split(';'):
            name, sep, value = item.strip().partition('=')
            if sep:
                if len(value) > 1 and value[0] == value[-1] == '"':
                    value = value[1:-1]
                cookies[name] = value
    return cookies


def peer_address(writer):
    """The (host, port) of the client on the other end of ``writer``."""
    try:
        addr = writer.get_extra_info('peername')
    except Exception:
        return None
    if isinstance(addr, (bytes, bytearray)) and len(addr) >= 8:
        # MicroPython's unix port gives a raw IPv4 sockaddr
        addr = ('%d.%d.%d.%d' % (addr[4], addr[5], addr[6], addr[7]),
                addr[2] << 8 | addr[3])
    return addr
