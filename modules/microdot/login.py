"""User logins on top of :mod:`microdot.session`.

    Session(app, secret_key=load_secret())
    login = Login()

    @login.user_loader
    async def load_user(user_id):
        return USERS.get(user_id)

    @app.post('/login')
    async def do_login(request):
        user = check_password(request.form)
        if user is None:
            return redirect('/login?error=1')
        return await login.login_user(request, user, remember=True)

    @app.get('/dashboard')
    @login
    async def dashboard(request):
        return 'hi ' + request.g.current_user.name

The session holds the user id. The optional remember-me cookie is a JWT
signed with a key derived from the session's, carrying the user id, its
expiry and the user's revocation counter: logging out bumps the counter,
which refuses every remember-me cookie and session of that user issued
before (see :attr:`Login.counters`).
"""
from .helpers import invoke_handler, wraps
from .response import Response

_MISSING = object()


def _is_local(url):
    """True when ``url`` is a path on this site (``/a/b?c``): no scheme, no
    host, no backslash, no control character or space - as sent and after
    each round of percent-decoding (``%2F%2Fevil``, ``%252F``), since
    some browsers and proxies decode it."""
    from .urls import urldecode_str
    for _ in range(3):
        if not isinstance(url, str) or len(url) > 2048 or \
                not url.startswith('/') or url.startswith('/', 1) or \
                '\\' in url:
            return False
        for c in url:
            if c <= ' ' or c == '\x7f':
                return False
        if '%' not in url:
            return True
        try:
            decoded = urldecode_str(url, False)
        except Exception:
            return False
        if decoded == url:  # a '%' that escapes nothing
            return True
        url = decoded
    return False  # still encoded after three rounds: not worth the risk


class Login:
    """User logins: ``@login`` on a route needs a logged-in user.

    Unauthenticated requests are redirected to ``login_url?next=<url>``.
    """

    #: The name of the remember-me cookie.
    remember_cookie = '_remember'

    def __init__(self, login_url='/login'):
        self.login_url = login_url
        self.user_loader_callback = None
        #: user id (as a string) -> revocation counter. Held in RAM: to
        #: keep remember-me cookies valid across reboots, set
        #: :attr:`counter_base` to 0 and load this dict from flash at boot,
        #: saving it after each :meth:`logout_user`.
        self.counters = {}
        #: Added to every counter. Random per boot by default, so a reboot
        #: (which forgets the counters) refuses the remember-me cookies
        #: issued before it instead of reviving revoked ones.
        try:
            import os
            data = os.urandom(3)
            self.counter_base = data[0] << 16 | data[1] << 8 | data[2]
        except (ImportError, AttributeError):  # a port without urandom
            from random import getrandbits
            self.counter_base = getrandbits(24)

    def user_loader(self, f):
        """Decorator: register ``f(user_id)`` (sync or async), which
        returns the user object with that id, or None."""
        self.user_loader_callback = f
        return f

    def counter(self, user_id):
        """The current revocation counter of ``user_id``."""
        return self.counter_base + self.counters.get(str(user_id), 0)

    def revoke(self, user_id):
        """Refuse every remember-me cookie and session of ``user_id``
        issued so far (what :meth:`logout_user` does)."""
        key = str(user_id)
        self.counters[key] = self.counters.get(key, 0) + 1

    def _key(self, request):
        key = _s()._session_of(request).secret_key
        if isinstance(key, str):
            key = key.encode()
        return key + b'/remember'  # a remember-me cookie is not a session

    async def _load(self, user_id, n):
        if n != self.counter(user_id):
            return None  # revoked by a logout since it was issued
        return await invoke_handler(self.user_loader_callback, user_id)

    async def get_current_user(self, request):
        """The logged-in user of ``request``, or None (memoised on
        ``request.g.current_user``). A valid remember-me cookie logs the
        user back in, as a session that is not fresh."""
        g = request.g
        user = getattr(g, '_login_user', _MISSING)
        if user is not _MISSING:
            return user
        session = _s()._session_of(request).get(request)
        user = None
        user_id = session.get('_user_id')
        if user_id is not None:
            user = await self._load(user_id, session.get('_n'))
            if user is None:
                session.delete()  # revoked or gone: end the session
        else:
            token = request.cookies.get(self.remember_cookie)
            if token:
                data = _s().decode(token, self._key(request)) or {}
                user_id = data.get('id')
                if user_id is not None:
                    user = await self._load(user_id, data.get('n'))
                if user is not None:
                    self._start(session, user_id, False)
                else:
                    self._cookie(request, None)  # expired, revoked, forged
        g._login_user = g.current_user = user
        return user

    def _start(self, session, user_id, fresh):
        session.clear()  # a new session: nothing planted before it stays
        session['_user_id'] = user_id
        session['_n'] = self.counter(user_id)
        session['_fresh'] = fresh
        session.save()

    def _cookie(self, request, token, days=0):
        g = request.g
        if getattr(g, '_remember_out', None) is None:
            request.after_request(self._finish)
        g._remember_out = (token, days)

    async def _finish(self, request, response):
        token, days = request.g._remember_out
        options = _s()._session_of(request).cookie_args(request)
        options.pop('expires', None)
        options.pop('max_age', None)
        if token:
            response.set_cookie(self.remember_cookie, token,
                                max_age=int(days * 86400), **options)
        else:
            response.delete_cookie(self.remember_cookie, **options)
        return response

    async def login_user(self, request, user, remember=False,
                         redirect_url='/'):
        """Log ``user`` (an object with an ``id``) in and return the
        redirect response for the login route to return.

        ``remember`` True (30 days) or a number of days also sets the
        remember-me cookie. The redirect goes to the request's ``next``
        argument when it is a local path, else to ``redirect_url``.
        """
        user_id = user.id
        self._start(_s()._session_of(request).get(request), user_id, True)
        if remember:
            days = remember if remember is not True and isinstance(
                remember, (int, float)) else 30  # True, 'on': 30 days
            from time import time
            self._cookie(request, _s().encode(
                {'id': user_id, 'n': self.counter(user_id),
                 'exp': int(time() + days * 86400)}, self._key(request)),
                days)
        elif request.cookies.get(self.remember_cookie):
            self._cookie(request, None)  # someone else's, from before
        request.g._login_user = request.g.current_user = user
        url = request.args.get('next')
        return Response.redirect(url if url and _is_local(url)
                                 else redirect_url)

    async def logout_user(self, request):
        """Log the user out: the session ends, the remember-me cookie is
        removed, and copies of either taken before are refused."""
        user = await self.get_current_user(request)
        if user is not None:
            self.revoke(user.id)
        _s()._session_of(request).get(request).delete()
        self._cookie(request, None)
        request.g._login_user = request.g.current_user = None

    def __call__(self, f):
        """Decorator: the route needs a logged-in user."""
        return self._wrap(f, False)

    def fresh(self, f):
        """Decorator: the route needs a user who logged in during this
        session (not one restored from the remember-me cookie)."""
        return self._wrap(f, True)

    def _wrap(self, f, fresh):
        @wraps(f)
        async def wrapper(request, *args, **kwargs):
            user = await self.get_current_user(request)
            if user is None or (fresh and not request.g._session.get(
                    '_fresh')):
                from .urls import urlencode
                return Response.redirect(
                    self.login_url + ('&' if '?' in self.login_url else '?')
                    + 'next=' + urlencode(request.url))
            return await invoke_handler(f, request, *args, **kwargs)
        return wrapper


def _s():
    # microdot.session, imported on first use: the app has it loaded by
    # then (it made the Session), so importing login alone costs less
    from . import session
    return session
