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


class Login:
    """User logins: ``@login`` on a route needs a logged-in user.

    Unauthenticated requests are redirected to ``login_url?next=<url>``.
    The login, logout and remember-me code is imported on first use
    (:mod:`microdot._login_flow`): a route that only checks the user
    loads no more than this module.
    """

    #: The name of the remember-me cookie.
    remember_cookie = '_remember'
    user_loader_callback = None

    def __init__(self, login_url='/login'):
        self.login_url = login_url
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
        user_id = str(user_id)
        self.counters[user_id] = self.counters.get(user_id, 0) + 1

    async def get_current_user(self, request):
        """The logged-in user of ``request``, or None (memoised on
        ``request.g.current_user``). A valid remember-me cookie logs the
        user back in, as a session that is not fresh."""
        g = request.g
        user = getattr(g, '_cur_user', g)  # g: not looked up yet
        if user is not g:
            return user
        from .session import _session_of
        session = _session_of(request).get(request)
        user = None
        user_id = session.get('_user_id')
        if user_id is not None:
            if session.get('_n') == self.counter(user_id):  # not revoked
                user = await invoke_handler(self.user_loader_callback,
                                            user_id)
            if user is None:
                session.delete()  # revoked or gone: end the session
        elif request.cookies.get(self.remember_cookie):
            from ._login_flow import remembered
            user = await remembered(self, request, session)
        g._cur_user = g.current_user = user
        return user

    async def login_user(self, request, user, remember=False,
                         redirect_url='/'):
        """Log ``user`` (an object with an ``id``) in and return the
        redirect response for the login route to return.

        ``remember`` True (30 days) or a number of days also sets the
        remember-me cookie. The redirect goes to the request's ``next``
        argument when it is a local path, else to ``redirect_url``.
        """
        from ._login_flow import login_user
        return login_user(self, request, user, remember, redirect_url)

    async def logout_user(self, request):
        """Log the user out: the session ends, the remember-me cookie is
        removed, and copies of either taken before are refused."""
        user = await self.get_current_user(request)
        from ._login_flow import logout_user
        logout_user(self, request, user)

    def __call__(self, f, fresh=False):
        """Decorator: the route needs a logged-in user."""
        @wraps(f)
        async def wrapper(request, *args, **kwargs):
            user = await self.get_current_user(request)
            if user is None or (fresh and not request.g._session.get(
                    '_fresh')):
                from ._login_flow import to_login
                return to_login(self, request)
            return await invoke_handler(f, request, *args, **kwargs)
        return wrapper

    def fresh(self, f):
        """Decorator: the route needs a user who logged in during this
        session (not one restored from the remember-me cookie)."""
        return self(f, True)
