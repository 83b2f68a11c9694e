"""A login-protected relay: a login form with a remember-me box, a
dashboard that switches a relay, and a logout. Sessions, logins and CSRF
protection on one small app.

Runs on CPython (``pip install PyJWT``) and on MicroPython with
micropython-lib's ``jwt`` and ``hmac`` (frozen into this kit's images):

    from app import app
    app.run(port=5000)

The secret key is made on first start and kept in ``secret.key``; the
password is ``LOGIN_PASSWORD`` from the environment where there is one,
else the line in ``password.txt``, else ``change-me`` (change it: see
docs/security.md).
"""
import hashlib
import os

from microdot import Microdot, Response, redirect
from microdot.auth import compare_digest
from microdot.csrf import CSRF
from microdot.login import Login
from microdot.session import Session


def load_secret(path='secret.key'):
    """The session key: read from ``path``, made (32 random bytes) and
    saved on the first start."""
    try:
        with open(path) as f:
            key = f.read().strip()
        if len(key) >= 64:
            return key
    except OSError:
        pass
    import binascii
    key = binascii.hexlify(os.urandom(32)).decode()
    with open(path, 'w') as f:
        f.write(key)
    return key


def load_password():
    try:
        password = os.getenv('LOGIN_PASSWORD')  # not on every board
    except AttributeError:
        password = None
    if not password:
        try:
            with open('password.txt') as f:
                password = f.read().strip()
        except OSError:
            password = 'change-me'
    return password


def hash_password(salt, password):
    return hashlib.sha256(salt + password.encode()).digest()


class User:
    def __init__(self, id, name, password):
        self.id = id
        self.name = name
        self.salt = os.urandom(16)
        self.hash = hash_password(self.salt, password)

    def check(self, password):
        return compare_digest(hash_password(self.salt, password), self.hash)


USERS = {1: User(1, 'admin', load_password())}
relay = {'on': False}

app = Microdot()
Session(app, secret_key=load_secret())
login = Login()
csrf = CSRF(app)


@login.user_loader
async def load_user(user_id):
    return USERS.get(user_id)


HEAD = ('<!doctype html><html><head><meta charset="utf-8">'
        '<title>Relay</title></head><body>')

LOGIN_FORM = HEAD + """<h1>Log in</h1>%s
<form method="post" action="/login%s">
<p><label>User <input name="username" id="username"></label></p>
<p><label>Password <input name="password" id="password" type="password">
</label></p>
<p><label><input type="checkbox" name="remember" id="remember"> Remember me
</label></p>
<p><button id="submit">Log in</button></p>
</form></body></html>"""

DASHBOARD = HEAD + """<h1>Hello, <span id="user">%s</span></h1>
<p>The relay is <b id="state">%s</b>.</p>
<form method="post" action="/relay">
<input type="hidden" name="state" value="%s">
<button id="toggle">Switch %s</button></form>
<form method="post" action="/logout"><button id="logout">Log out</button>
</form></body></html>"""


def html(body, status=200):
    return Response(body, status, {'Content-Type': 'text/html; charset=UTF-8'})


@app.get('/')
async def index(request):
    return redirect('/dashboard')


@app.get('/login')
async def login_page(request):
    from microdot.urls import urlencode
    next_url = request.args.get('next')
    query = '?next=' + urlencode(next_url) if next_url else ''
    error = '<p id="error">Wrong user or password.</p>' \
        if request.args.get('error') else ''
    return html(LOGIN_FORM % (error, query))


@app.post('/login')
async def do_login(request):
    form = request.form or {}
    user = None
    for candidate in USERS.values():
        if candidate.name == form.get('username'):
            user = candidate
    # check a password even for an unknown name: the same time either way
    ok = (user or USERS[1]).check(form.get('password') or '')
    if user is None or not ok:
        return redirect('/login?error=1')
    return await login.login_user(request, user,
                                  remember=bool(form.get('remember')),
                                  redirect_url='/dashboard')


@app.get('/dashboard')
@login
async def dashboard(request):
    on = relay['on']
    return html(DASHBOARD % (request.g.current_user.name,
                             'on' if on else 'off', 'off' if on else 'on',
                             'off' if on else 'on'))


@app.post('/relay')
@login
async def switch(request):
    relay['on'] = (request.form or {}).get('state') == 'on'
    return redirect('/dashboard')


@app.get('/api/state')
@login
async def state(request):
    return {'on': relay['on'], 'user': request.g.current_user.name}


@app.post('/logout')
@login
async def logout(request):
    await login.logout_user(request)
    return redirect('/login')


if __name__ == '__main__':
    app.run(port=5000, debug=True)
