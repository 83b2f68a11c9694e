"""Signed user sessions in a cookie (a JWT, HS256).

    from microdot.session import Session, with_session

    Session(app, secret_key=load_secret())

    @app.post('/name')
    @with_session
    async def set_name(request, session):
        session['name'] = request.form.get('name')
        session.save()
        return 'ok'

The session is a dict stored in the ``session`` cookie, signed (not
encrypted: the client can read it, never change it) with the secret key.
JWTs come from PyJWT on CPython and from micropython-lib's ``jwt`` (with
``hmac``) on MicroPython. A cookie that does not verify - tampered, signed
with another key, ``alg: none``, expired, malformed, oversized - is simply
no session.
"""
from time import time as _time

from .helpers import MICROPYTHON, add_methods, invoke_handler, \
    method_on_first_use, wraps


if MICROPYTHON:
    def encode(payload, key):
        """Sign ``payload`` (a dict) with ``key``; returns the JWT string."""
        import jwt  # on first use: an app without sessions never loads it
        return jwt.encode(payload, key, algorithm='HS256')  # a str

    def decode(token, key, max_length=4096):
        """The payload dict of a JWT signed with ``key`` (HS256 only), or
        None (also when its ``exp`` has passed).

        Any failure is None: micropython-lib's ``jwt`` raises KeyError or
        TypeError (not its own errors) for some malformed tokens, and
        expired tokens must not end a request in a 500 either.
        """
        try:  # len() of a token that is not a str may raise too
            if key and len(token) <= max_length:
                import jwt
                token = jwt.decode(token, key, algorithms=['HS256'])
                if isinstance(token, dict):
                    return token
        except Exception:
            pass
        return None
else:
    # PyJWT. A def that does not run costs a MicroPython board only the
    # names it adds, so CPython's versions stay in this file.
    def encode(payload, key):
        """Sign ``payload`` (a dict) with ``key``; returns the JWT string."""
        import jwt
        import json
        # PyJWT's encode() checks registered claims (a 'sub' or 'iss' that
        # is not a string is an error): a session is any dict, so sign
        # the JSON with its JWS layer, as micropython-lib's jwt does
        token = jwt.api_jws.encode(json.dumps(payload).encode(), key,
                                   algorithm='HS256')
        return token.decode() if isinstance(token, bytes) else token

    def decode(token, key, max_length=4096):
        """The payload dict of a JWT signed with ``key`` (HS256 only), or
        None (also when its ``exp`` has passed): any failure is None."""
        if not isinstance(token, str) or not token or not key or \
                len(token) > max_length:
            return None
        try:
            import jwt
            import json
            payload = json.loads(jwt.api_jws.decode(token, key,
                                                    algorithms=['HS256']))
            exp = payload.get('exp', 0)
            if 'exp' in payload and (isinstance(exp, bool) or
                                     not _time() <= exp):
                return None  # expired (or not a number: TypeError)
        except Exception:
            return None
        return payload if isinstance(payload, dict) else None


class SessionDict(dict):
    """The session of one request: a dict with :meth:`save` and
    :meth:`delete`."""

    def __init__(self, request, session_dict):
        super().__init__(session_dict)
        self.request = request

    def save(self):
        """Send the session back to the client (at the end of the request)."""
        _session_of(self.request).update(self.request, self)

    def delete(self):
        """Empty the session and remove its cookie from the client."""
        _session_of(self.request).delete(self.request)


class Session:
    """The session extension of an application.

    ``secret_key`` signs the cookie (use 32 random bytes or more; keep it
    out of the source, see docs/security.md). ``cookie_options`` are
    keyword arguments for :meth:`Response.set_cookie`; the defaults are
    ``path='/'``, ``http_only=True``, ``same_site='Lax'`` and ``secure``
    when the request came over HTTPS.
    """

    #: The name of the session cookie.
    cookie_name = 'session'
    #: Longest cookie value decoded (longer ones are no session).
    max_cookie_length = 4096
    # the last valid cookie, its payload and expiry: a board's users are
    # few, so most lookups repeat the previous token
    _cache = (None,)

    def __init__(self, app=None, secret_key=None, cookie_options=None):
        self.secret_key = secret_key
        self.cookie_options = cookie_options or {}
        if app is not None:
            self.initialize(app)

    def initialize(self, app, secret_key=None, cookie_options=None):
        """Attach the sessions to ``app`` (when not given to the
        constructor)."""
        if secret_key is not None:
            self.secret_key = secret_key
            self._cache = (None,)
        if cookie_options is not None:
            self.cookie_options = cookie_options
        app._session = self

    def get(self, request):
        """The session of ``request`` (a :class:`SessionDict`, empty when
        the client sent no valid session cookie)."""
        g = request.g
        session = getattr(g, '_session', None)
        if session is None:
            request.vary.add('Cookie')
            if self.secret_key is None:
                raise ValueError('secret_key')  # not set: a qstr, not a str object
            token = request.cookies.get(self.cookie_name)
            cache = self._cache
            if token and token == cache[0] and (
                    cache[2] is None or _time() <= cache[2]):
                data = cache[1]  # verified before: no HMAC, no JSON
            else:
                data = decode(token, self.secret_key, self.max_cookie_length)
                if data:
                    exp = data.get('exp')
                    for value in data.values():
                        if isinstance(value, (list, dict)):
                            break  # a handler could change it in place
                    else:
                        self._cache = (token, data, exp if isinstance(
                            exp, (int, float)) else None)
            session = g._session = SessionDict(request, data or {})
        return session

    def __getattr__(self, name):
        # update(), delete(), cookie_args() and the after-request writer are
        # in microdot.session_write, added to the class on first use (only
        # MicroPython gets here: see microdot.helpers.add_methods)
        return method_on_first_use(self, Session, name, 'session_write',
                                   'SessionWrite')


def _session_of(request):
    session = getattr(request.app, '_session', None) or \
        getattr(request.subapp, '_session', None)
    if session is None:
        raise RuntimeError('no Session')
    return session


def with_session(f):
    """Decorator: the handler gets the session as its second argument."""
    @wraps(f)
    async def wrapper(request, *args, **kwargs):
        return await invoke_handler(f, request,
                                    _session_of(request).get(request),
                                    *args, **kwargs)
    return wrapper


if not MICROPYTHON:
    from .session_write import SessionWrite
    add_methods(Session, SessionWrite)
