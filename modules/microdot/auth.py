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
    route decorators, reading the credentials and the error response."""

    #: Longest credentials accepted (longer ones are no credentials).
    max_length = 1024
    #: The request header that carries the credentials.
    header = 'Authorization'
    #: The scheme before the credentials in the header (None: the whole
    #: value is the credentials).
    scheme = None
    auth_callback = None
    error_callback = None

    def __init__(self, error_status=401):
        self.error_status = error_status

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

    def __call__(self, f, optional=False):
        """Decorator: the route needs a valid user
        (``request.g.current_user``); else the error response."""
        @wraps(f)
        async def wrapper(request, *args, **kwargs):
            if self.auth_callback is None:
                # the app's mistake: say which (a 500 with this message in
                # the log), not a TypeError from calling None
                from ._auth_errors import no_verify
                no_verify()
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

    def optional(self, f):
        """Decorator: the route runs either way; ``request.g.current_user``
        is the user or None."""
        return self(f, True)

    def credentials(self, request):
        """The credentials in ``request`` as a tuple of the verify
        function's arguments, or None: here the value of :attr:`header`
        after :attr:`scheme` (case-insensitive), as a 1-tuple."""
        value = request.headers.get(self.header)
        if not value or len(value) > self.max_length:
            return None
        value = value.strip()
        if self.scheme:
            name, _, value = value.partition(' ')
            if name.lower() != self.scheme.lower():
                return None
            value = value.strip()
        return (value,) if value else None

    def error_response(self, request):
        """The default reply to an unauthenticated request: a 401 (or
        ``error_status``), with a ``WWW-Authenticate`` challenge for
        Basic."""
        # loaded on the first refusal only: the long strings and the realm
        # quoting cost ~0.4 KB of RAM after import otherwise
        from ._auth_errors import error_response
        return error_response(self)


class BasicAuth(BaseAuth):
    """HTTP Basic authentication; the verify function gets
    ``(request, username, password)``."""

    def __init__(self, realm='Please login', charset='UTF-8', scheme='Basic',
                 error_status=401):
        self.error_status = error_status
        self.realm = realm
        self.charset = charset
        self.scheme = scheme

    def credentials(self, request):
        value = BaseAuth.credentials(self, request)
        if value is None:
            return None
        import binascii
        try:
            value = binascii.a2b_base64(value[0]).decode(self.charset)
        except Exception:  # bad base64 or bad text: no credentials
            return None
        username, sep, password = value.partition(':')
        if not sep:
            return None
        return username, password


class TokenAuth(BaseAuth):
    """Token authentication; the verify function gets ``(request, token)``.

    The token is read from ``header``: after ``scheme`` (``Authorization:
    Bearer <token>``), or the whole value for another header with
    ``scheme=None`` (``X-API-Key: <token>``).
    """

    def __init__(self, header='Authorization', scheme='Bearer',
                 error_status=401):
        self.error_status = error_status
        self.header = header
        self.scheme = scheme
