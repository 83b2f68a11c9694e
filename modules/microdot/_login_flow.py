"""The rare paths of :mod:`microdot.login`, imported on first use: logging
in and out, the remember-me cookie, the redirect to the login page and the
check of ``next``."""
from time import time

from .helpers import invoke_handler
from .response import Response
from .session import _session_of, decode, encode


def is_local(url):
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


def _key(request):
    key = _session_of(request).secret_key
    if isinstance(key, str):
        key = key.encode()
    return key + b'/remember'  # a remember-me cookie is not a session


def _start(login, session, user_id, fresh):
    session.clear()  # a new session: nothing planted before it stays
    session['_user_id'] = user_id
    session['_n'] = login.counter(user_id)
    session['_fresh'] = fresh
    session.save()


def _cookie(login, request, token, days=0):
    g = request.g
    if getattr(g, '_rem_out', None) is None:
        async def finish(request, response):
            token, days = request.g._rem_out
            options = _session_of(request).cookie_args(request)
            options.pop('expires', None)
            options.pop('max_age', None)
            if token:
                response.set_cookie(login.remember_cookie, token,
                                    max_age=int(days * 86400), **options)
            else:
                response.delete_cookie(login.remember_cookie, **options)
            return response
        request.after_request(finish)
    g._rem_out = (token, days)


async def remembered(login, request, session):
    """The user of a valid remember-me cookie, logged back in (a session
    that is not fresh); else None, and the cookie is removed."""
    data = decode(request.cookies.get(login.remember_cookie),
                  _key(request)) or {}
    user_id = data.get('id')
    user = None
    if user_id is not None and data.get('n') == login.counter(user_id):
        user = await invoke_handler(login.user_loader_callback, user_id)
    if user is not None:
        _start(login, session, user_id, False)
    else:
        _cookie(login, request, None)  # expired, revoked, forged
    return user


def login_user(login, request, user, remember, redirect_url):
    """The body of :meth:`Login.login_user`."""
    user_id = user.id
    _start(login, _session_of(request).get(request), user_id, True)
    if remember:
        days = remember if remember is not True and isinstance(
            remember, (int, float)) else 30  # True, 'on': 30 days
        _cookie(login, request, encode(
            {'id': user_id, 'n': login.counter(user_id),
             'exp': int(time() + days * 86400)}, _key(request)), days)
    elif request.cookies.get(login.remember_cookie):
        _cookie(login, request, None)  # someone else's, from before
    request.g._cur_user = request.g.current_user = user
    url = request.args.get('next')
    return Response.redirect(url if url and is_local(url) else redirect_url)


def logout_user(login, request, user):
    """The body of :meth:`Login.logout_user`, once ``user`` is known."""
    if user is not None:
        login.revoke(user.id)
    _session_of(request).get(request).delete()
    _cookie(login, request, None)
    request.g._cur_user = request.g.current_user = None


def to_login(login, request):
    """The redirect to the login page, with this URL as ``next``."""
    from .urls import urlencode
    url = login.login_url
    return Response.redirect(url + ('&' if '?' in url else '?') + 'next=' +
                             urlencode(request.url))
