"""microdot.login: login/logout, @login and @login.fresh, remember-me
(lifetime, revocation, key rotation) and every open-redirect form of
``next``."""
import time
import unittest

from microdot import Microdot
from microdot.urls import urlencode
from support import run, make_client, find_cookie
from security_support import SECRET, OTHER_SECRET, ensure_jwt, \
    cookie_value, forge

ensure_jwt()
from microdot.session import Session, encode, decode  # noqa
from microdot.login import Login  # noqa

DAY = 86400


class User:
    def __init__(self, id, name):
        self.id = id
        self.name = name


def make_app(secret=SECRET, login=None):
    app = Microdot()
    Session(app, secret_key=secret)
    login = login or Login()
    users = {1: User(1, 'ana'), 2: User(2, 'bo')}
    loads = []

    @login.user_loader
    async def load(user_id):
        loads.append(user_id)
        return users.get(user_id)

    @app.post('/login')
    async def do_login(req):
        user = users[req.json['id']]
        return await login.login_user(req, user,
                                      remember=req.json.get('remember'))

    @app.post('/logout')
    async def do_logout(req):
        await login.logout_user(req)
        return 'bye'

    @app.get('/dashboard')
    @login
    async def dashboard(req):
        user = await login.get_current_user(req)
        return {'name': req.g.current_user.name, 'same': user is
                req.g.current_user, 'loads': len(loads)}

    @app.get('/settings')
    @login.fresh
    async def settings(req):
        return 'fresh'

    @app.get('/plant')
    async def plant(req):
        app._session.get(req).update({'planted': 1, '_fresh': True})
        app._session.get(req).save()
        return 'ok'

    @app.get('/keys')
    async def keys(req):
        return {'keys': sorted(app._session.get(req))}

    app.login = login
    app.users = users
    app.loads = loads
    return app


def do_login(client, user_id=1, remember=None, query=''):
    body = {'id': user_id}
    if remember is not None:
        body['remember'] = remember
    return run(client.post('/login' + query, json=body))


class LoginTest(unittest.TestCase):
    def test_redirects_to_login_with_next(self):
        res = run(make_client(make_app()).get('/dashboard?x=1&y=2'))
        self.assertEqual(res.status_code, 302)
        self.assertEqual(res.headers['Location'],
                         '/login?next=%2Fdashboard%3Fx%3D1%26y%3D2')

    def test_login_url_with_query(self):
        app = make_app(login=Login(login_url='/auth?step=1'))
        res = run(make_client(app).get('/dashboard'))
        self.assertEqual(res.headers['Location'],
                         '/auth?step=1&next=%2Fdashboard')

    def test_login_and_dashboard(self):
        app = make_app()
        client = make_client(app)
        res = do_login(client)
        self.assertEqual(res.status_code, 302)
        self.assertEqual(res.headers['Location'], '/')
        self.assertIsNone(find_cookie(res.headers, '_remember'))
        res = run(client.get('/dashboard'))
        self.assertEqual(res.json, {'name': 'ana', 'same': True, 'loads': 1})
        self.assertEqual(run(client.get('/settings')).text, 'fresh')

    def test_sync_user_loader(self):
        app = Microdot()
        Session(app, secret_key=SECRET)
        login = Login()
        login.user_loader(lambda user_id: User(user_id, 'sync'))

        @app.post('/login')
        async def do(req):
            return await login.login_user(req, User(5, 'sync'))

        @app.get('/me')
        @login
        async def me(req):
            return req.g.current_user.name

        client = make_client(app)
        run(client.post('/login'))
        self.assertEqual(run(client.get('/me')).text, 'sync')

    def test_next_local_path_honoured(self):
        for target in ('/dashboard', '/dashboard?x=1&y=%2F', '/a/b/',
                       '/search?q=100%25', '/%7Euser'):
            res = do_login(make_client(make_app()),
                           query='?next=' + urlencode(target))
            self.assertEqual(res.headers['Location'], target)

    def test_open_redirects_refused(self):
        for target in ('//evil.example', '///evil.example',
                       '////evil.example', '/\\evil.example',
                       '\\\\evil.example', '\\/evil.example',
                       'http://evil.example', 'https://evil.example/x',
                       'HTTPS://evil.example', 'https:evil.example',
                       'javascript:alert(1)', 'JavaScript:alert(1)',
                       'data:text/html,x', 'evil.example', ' /x',
                       '%2F%2Fevil.example', '/%2Fevil.example',
                       '%2f%2fevil.example', '%5Cevil', '/%5Cevil',
                       '/%5cevil', '%252F%252Fevil.example',
                       '/%252Fevil.example', '/\t/evil.example',
                       '/%09/evil.example', '\t//evil.example',
                       '/\n/evil.example', '/ /evil.example',
                       '/x\r\nSet-Cookie: a=b', '/x%0d%0aSet-Cookie: a=b',
                       '\r\n', '/\x00/evil', '/\x7f', ''):
            res = do_login(make_client(make_app()),
                           query='?next=' + urlencode(target))
            self.assertEqual(res.status_code, 302, repr(target))
            self.assertEqual(res.headers['Location'], '/', repr(target))
            self.assertNotIn('a=b', str(res.headers.get('Set-Cookie')))

    def test_login_replaces_session(self):
        client = make_client(make_app())
        run(client.get('/plant'))
        before = client.cookies['session']
        do_login(client)
        self.assertNotEqual(client.cookies['session'], before)
        keys = run(client.get('/keys')).json['keys']
        self.assertNotIn('planted', keys)
        self.assertIn('_user_id', keys)

    def test_planted_session_is_not_a_login(self):
        client = make_client(make_app())
        run(client.get('/plant'))
        self.assertEqual(run(client.get('/dashboard')).status_code, 302)

    def test_logout(self):
        client = make_client(make_app())
        do_login(client)
        stolen = dict(client.cookies)
        res = run(client.post('/logout'))
        self.assertEqual(cookie_value(res, 'session'), '')
        self.assertEqual(run(client.get('/dashboard')).status_code, 302)
        # a copy of the session cookie taken before logout is refused
        thief = make_client(client.app, cookies=stolen)
        self.assertEqual(run(thief.get('/dashboard')).status_code, 302)

    def test_logout_ends_other_sessions_of_user(self):
        app = make_app()
        a = make_client(app)
        b = make_client(app)
        do_login(a)
        do_login(b)
        other = make_client(app)
        do_login(other, user_id=2)
        run(a.post('/logout'))
        self.assertEqual(run(b.get('/dashboard')).status_code, 302)
        self.assertEqual(run(other.get('/dashboard')).status_code, 200)


class RememberTest(unittest.TestCase):
    def remembered(self, app=None, remember=True):
        app = app or make_app()
        client = make_client(app)
        res = do_login(client, remember=remember)
        return app, client, res

    def test_cookie(self):
        _, client, res = self.remembered()
        name, value, attrs = find_cookie(res.headers, '_remember')
        self.assertTrue(attrs.get('httponly'))
        self.assertEqual(attrs.get('samesite'), 'Lax')
        self.assertEqual(attrs.get('path'), '/')
        self.assertEqual(attrs.get('max-age'), str(30 * DAY))

    def test_days(self):
        _, client, res = self.remembered(remember=1)
        _, value, attrs = find_cookie(res.headers, '_remember')
        self.assertEqual(attrs.get('max-age'), str(DAY))
        exp = decode(value, SECRET.encode() + b'/remember')['exp']
        self.assertTrue(abs(exp - (time.time() + DAY)) < 60)

    def test_remember_from_a_form_value(self):
        _, _, res = self.remembered(remember='on')
        _, _, attrs = find_cookie(res.headers, '_remember')
        self.assertEqual(attrs.get('max-age'), str(30 * DAY))

    def test_restore_keeps_lifetime(self):
        app, client, res = self.remembered(remember=1)
        token = client.cookies['_remember']
        browser = make_client(app, cookies={'_remember': token})
        res = run(browser.get('/dashboard'))
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.json['name'], 'ana')
        self.assertIsNone(find_cookie(res.headers, '_remember'))
        self.assertEqual(browser.cookies['_remember'], token)
        self.assertIn('session', browser.cookies)
        # later requests ride on the restored session
        self.assertEqual(run(browser.get('/dashboard')).status_code, 200)

    def test_restored_session_is_not_fresh(self):
        app, client, _ = self.remembered()
        browser = make_client(app, cookies={
            '_remember': client.cookies['_remember']})
        res = run(browser.get('/settings'))
        self.assertEqual(res.status_code, 302)
        self.assertEqual(res.headers['Location'], '/login?next=%2Fsettings')
        do_login(browser)
        self.assertEqual(run(browser.get('/settings')).text, 'fresh')

    def test_copy_refused_after_logout(self):
        app, client, _ = self.remembered()
        copy = client.cookies['_remember']
        res = run(client.post('/logout'))
        self.assertEqual(cookie_value(res, '_remember'), '')
        self.assertNotIn('_remember', client.cookies)
        thief = make_client(app, cookies={'_remember': copy})
        self.assertEqual(run(thief.get('/dashboard')).status_code, 302)

    def test_new_login_after_logout_remembered_again(self):
        app, client, _ = self.remembered()
        run(client.post('/logout'))
        do_login(client, remember=True)
        fresh = client.cookies['_remember']
        browser = make_client(app, cookies={'_remember': fresh})
        self.assertEqual(run(browser.get('/dashboard')).status_code, 200)

    def test_rotated_key_refused(self):
        app, client, _ = self.remembered()
        rotated = make_app(secret=OTHER_SECRET, login=app.login)
        browser = make_client(rotated, cookies={
            '_remember': client.cookies['_remember']})
        self.assertEqual(run(browser.get('/dashboard')).status_code, 302)

    def test_session_token_is_not_a_remember_cookie(self):
        app, client, _ = self.remembered()
        payload = decode(client.cookies['_remember'],
                         SECRET.encode() + b'/remember')
        as_session = encode(payload, SECRET)
        browser = make_client(app, cookies={'_remember': as_session})
        self.assertEqual(run(browser.get('/dashboard')).status_code, 302)

    def test_expired_refused_and_dropped(self):
        app = make_app()
        key = SECRET.encode() + b'/remember'
        token = encode({'id': 1, 'n': app.login.counter(1),
                        'exp': int(time.time()) - 10}, key)
        browser = make_client(app, cookies={'_remember': token})
        res = run(browser.get('/dashboard'))
        self.assertEqual(res.status_code, 302)
        self.assertEqual(cookie_value(res, '_remember'), '')

    def test_deleted_user_refused(self):
        app, client, _ = self.remembered()
        del app.users[1]
        browser = make_client(app, cookies={
            '_remember': client.cookies['_remember']})
        self.assertEqual(run(browser.get('/dashboard')).status_code, 302)

    def test_malformed_remember_cookie(self):
        app = make_app()
        for value in ('x', 'a.b.c', encode({'id': 1}, SECRET), '',
                      forge({'alg': 'HS256'}, '[1]',
                            SECRET.encode() + b'/remember'),
                      forge({'typ': 'JWT'}, {'id': 1},
                            SECRET.encode() + b'/remember')):
            browser = make_client(app, cookies={'_remember': value})
            self.assertEqual(run(browser.get('/dashboard')).status_code, 302)

    def test_reboot_refuses_by_default(self):
        app, client, _ = self.remembered()
        rebooted = make_app()  # a new Login: a new counter base
        browser = make_client(rebooted, cookies={
            '_remember': client.cookies['_remember']})
        self.assertEqual(run(browser.get('/dashboard')).status_code, 302)

    def test_persisted_counters_survive_reboot(self):
        first = Login()
        first.counter_base = 0
        app, client, _ = self.remembered(make_app(login=first))
        saved = dict(first.counters)
        second = Login()
        second.counter_base = 0
        second.counters = saved
        browser = make_client(make_app(login=second), cookies={
            '_remember': client.cookies['_remember']})
        self.assertEqual(run(browser.get('/dashboard')).status_code, 200)

    def test_login_without_remember_drops_old_cookie(self):
        app, client, _ = self.remembered()
        res = do_login(client, user_id=2)
        self.assertEqual(cookie_value(res, '_remember'), '')


if __name__ == '__main__':
    unittest.main()
