"""HTTP Basic and token authentication for routes.

    auth = BasicAuth()

    @auth.authenticate
    async def verify(request, username, password):
        if username == 'admin' and compare_digest(password, ADMIN_PASSWORD):
            return 'admin'

    @app.get('/relay')
    @auth
    async def relay(request):
        return 'hello ' + request.g.current_user

Malformed credentials (bad base64, no colon, not UTF-8, too long) are no
credentials: a 401, never a 500.
"""
from .helpers import MICROPYTHON, invoke_handler, wraps
from .response import Response


def compare_digest(a, b):
    """True when ``a == b`` (str or bytes), in a time that does not depend
    on where they differ: compare passwords and tokens with this, so an
    attacker can not guess a secret byte by byte from response times."""
    if isinstance(a, str):
        a = a.encode()
    if isinstance(b, str):
        b = b.encode()
    if _hmac_compare is not None:
        return _hmac_compare(a, b)
    result = len(a) ^ len(b)
    if result:
        a = b  # same work as a match; the lengths already differ
    for i in range(len(b)):
        result |= a[i] ^ b[i]
    return result == 0


_hmac_compare = None
if not MICROPYTHON:  # micropython-lib's hmac has no compare_digest
    try:
        from hmac import compare_digest as _hmac_compare  # in C
    except ImportError:
        pass


class BaseAuth:
    """What Basic and token authentication share: the verify callback, the
    route decorators and the error response."""

    #: Longest credentials accepted (longer ones are no credentials).
    max_length = 1024

    def __init__(self, error_status=401):
        self.error_status = error_status
        self.auth_callback = None
        self.error_callback = None

    def authenticate(self, f):
        """Decorator: register the verify function (sync or async). It
        gets the request and the credentials and returns the user, or None
        when they are not valid."""
        self.auth_callback = f
        return f

    def errorhandler(self, f):
        """Decorator: register ``f(request)`` to build the response to an
        unauthenticated request, instead of the default 401."""
        self.error_callback = f
        return f

    def __call__(self, f):
        """Decorator: the route needs a valid user
        (``request.g.current_user``); else the error response."""
        return self._wrap(f, False)

    def optional(self, f):
        """Decorator: the route runs either way; ``request.g.current_user``
        is the user or None."""
        return self._wrap(f, True)

    def _wrap(self, f, optional):
        @wraps(f)
        async def wrapper(request, *args, **kwargs):
            if self.auth_callback is None:
                # the app's mistake: say which (a 500 with this message in
                # the log), not a TypeError from calling None
                raise RuntimeError('no verify function: register one with '
                                   '@auth.authenticate')
            credentials = self.credentials(request)
            user = None if credentials is None else await invoke_handler(
                self.auth_callback, request, *credentials)
            request.g.current_user = user
            if user is None and not optional:
                if self.error_callback is not None:
                    return await invoke_handler(self.error_callback, request)
                return self.error_response(request)
            return await invoke_handler(f, request, *args, **kwargs)
        return wrapper

    def error_response(self, request):
        """The default reply to an unauthenticated request."""
        return Response('Unauthorized', self.error_status)


class BasicAuth(BaseAuth):
    """HTTP Basic authentication; the verify function gets
    ``(request, username, password)``."""

    def __init__(self, realm='Please login', charset='UTF-8', scheme='Basic',
                 error_status=401):
        super().__init__(error_status)
        self.realm = realm
        self.charset = charset
        self.scheme = scheme

    def credentials(self, request):
        value = _scheme_value(request.headers.get('Authorization'),
                              self.scheme, self.max_length)
        if not value:
            return None
        import binascii
        try:
            text = binascii.a2b_base64(value).decode(self.charset)
        except Exception:  # bad base64 or bad text: no credentials
            return None
        username, sep, password = text.partition(':')
        if not sep:
            return None
        return username, password

    def error_response(self, request):
        realm = self.realm.replace('\\', '\\\\').replace('"', '\\"')
        challenge = '%s realm="%s"' % (self.scheme, realm)
        if self.charset:
            challenge += ', charset="%s"' % self.charset
        return Response('Unauthorized', self.error_status,
                        {'WWW-Authenticate': challenge})


class TokenAuth(BaseAuth):
    """Token authentication; the verify function gets ``(request, token)``.

    The token is read from ``header``: after ``scheme`` (``Authorization:
    Bearer <token>``), or the whole value for another header with
    ``scheme=None`` (``X-API-Key: <token>``).
    """

    def __init__(self, header='Authorization', scheme='Bearer',
                 error_status=401):
        super().__init__(error_status)
        self.header = header
        self.scheme = scheme

    def credentials(self, request):
        value = request.headers.get(self.header)
        if self.scheme:
            value = _scheme_value(value, self.scheme, self.max_length)
        elif value is not None:
            value = value.strip()
            if len(value) > self.max_length:
                return None
        if not value:
            return None
        return (value,)


def _scheme_value(header, scheme, max_length):
    """The credentials of an ``Authorization: <scheme> <value>`` header
    (scheme case-insensitive), or None."""
    if not header or len(header) > max_length:
        return None
    name, _, value = header.strip().partition(' ')
    if name.lower() != scheme.lower():
        return None
    return value.strip()
