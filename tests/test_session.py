"""microdot.session: signed cookie sessions, and each way of tampering with
one (each is simply no session, never a 500)."""
import unittest

from microdot import Microdot, Response
from support import run, make_client, find_cookie, set_cookie_headers
from security_support import SECRET, OTHER_SECRET, ensure_jwt, forge, \
    b64url, cookie_value, vary

ensure_jwt()
from microdot.session import Session, with_session, decode, encode  # noqa


def make_app(**options):
    app = Microdot()
    Session(app, secret_key=SECRET, **options)

    @app.route('/', methods=['GET', 'POST'])
    @with_session
    async def index(req, session):
        if req.method == 'POST':
            session['name'] = req.json.get('name')
            session.save()
        return {'name': session.get('name'), 'keys': sorted(session)}

    @app.post('/logout')
    @with_session
    async def logout(req, session):
        session.delete()
        return 'bye'

    @app.get('/twice')
    @with_session
    async def twice(req, session):
        session['a'] = 1
        session.save()
        session['b'] = 2
        session.save()
        return 'ok'

    return app


def get_with_cookie(app, value):
    client = make_client(app, cookies={'session': value})
    return run(client.get('/'))


class SessionTest(unittest.TestCase):
    def test_round_trip(self):
        client = make_client(make_app())
        res = run(client.get('/'))
        self.assertEqual(res.json, {'name': None, 'keys': []})
        self.assertIsNone(find_cookie(res.headers, 'session'))
        res = run(client.post('/', json={'name': 'ana'}))
        self.assertEqual(res.status_code, 200)
        token = cookie_value(res, 'session')
        self.assertEqual(token.count('.'), 2)
        res = run(client.get('/'))
        self.assertEqual(res.json, {'name': 'ana', 'keys': ['name']})

    def test_cookie_attributes(self):
        client = make_client(make_app())
        res = run(client.post('/', json={'name': 'x'}))
        _, _, attrs = find_cookie(res.headers, 'session')
        self.assertTrue(attrs.get('httponly'))
        self.assertEqual(attrs.get('samesite'), 'Lax')
        self.assertEqual(attrs.get('path'), '/')
        self.assertNotIn('secure', attrs)

    def test_secure_over_tls(self):
        client = make_client(make_app(), scheme='https')
        res = run(client.post('/', json={'name': 'x'}))
        _, _, attrs = find_cookie(res.headers, 'session')
        self.assertTrue(attrs.get('secure'))

    def test_cookie_options_override(self):
        app = make_app(cookie_options={'same_site': 'Strict',
                                       'path': '/app', 'max_age': 600})
        res = run(make_client(app).post('/', json={'name': 'x'}))
        _, _, attrs = find_cookie(res.headers, 'session')
        self.assertEqual(attrs.get('samesite'), 'Strict')
        self.assertEqual(attrs.get('path'), '/app')
        self.assertEqual(attrs.get('max-age'), '600')
        self.assertTrue(attrs.get('httponly'))

    def test_vary_cookie(self):
        res = run(make_client(make_app()).get('/'))
        self.assertIn('cookie', vary(res))

    def test_delete(self):
        client = make_client(make_app())
        run(client.post('/', json={'name': 'x'}))
        res = run(client.post('/logout'))
        name, value, attrs = find_cookie(res.headers, 'session')
        self.assertEqual(value, '')
        self.assertEqual(attrs.get('path'), '/')
        self.assertEqual(run(client.get('/')).json['name'], None)

    def test_one_cookie_for_several_saves(self):
        res = run(make_client(make_app()).get('/twice'))
        self.assertEqual(len(set_cookie_headers(res.headers)), 1)
        payload = decode(cookie_value(res, 'session'), SECRET)
        self.assertEqual(payload, {'a': 1, 'b': 2})

    def test_any_dict(self):
        # registered claim names with any value: PyJWT's claim checks
        # must not lose (or refuse to save) such a session
        app = Microdot()
        Session(app, secret_key=SECRET)
        data = {'sub': 5, 'iss': 3, 'aud': 'x', 'iat': 'now', 'nbf': 'x',
                'jti': [1], 'list': [1, 'a'], 'nested': {'a': None}}

        @app.get('/set')
        @with_session
        async def set_(req, session):
            session.update(data)
            session.save()
            return 'ok'

        @app.get('/get')
        @with_session
        async def get(req, session):
            # not dict(session): MicroPython's dict() takes no subclass
            return {key: session[key] for key in session}

        client = make_client(app)
        self.assertEqual(run(client.get('/set')).status_code, 200)
        self.assertEqual(run(client.get('/get')).json, data)

    def test_standard_jwt_accepted(self):
        import jwt
        token = jwt.encode({'name': 'lib'}, SECRET, algorithm='HS256')
        if isinstance(token, bytes):
            token = token.decode()
        self.assertEqual(get_with_cookie(make_app(), token).json['name'],
                         'lib')

    def test_api_without_decorator(self):
        app = Microdot()
        session = Session()
        session.initialize(app, secret_key=SECRET)

        @app.get('/set')
        async def set_(req):
            session.update(req, {'n': 5})
            return 'ok'

        @app.get('/get')
        async def get(req):
            return {'n': session.get(req).get('n')}

        @app.get('/del')
        async def delete(req):
            session.delete(req)
            return 'ok'

        client = make_client(app)
        run(client.get('/set'))
        self.assertEqual(run(client.get('/get')).json, {'n': 5})
        run(client.get('/del'))
        self.assertEqual(run(client.get('/get')).json, {'n': None})


class TamperTest(unittest.TestCase):
    """Every one of these cookies is no session: 200, empty session."""

    def assertNoSession(self, value, app=None):
        res = get_with_cookie(app or make_app(), value)
        self.assertEqual(res.status_code, 200, value)
        self.assertEqual(res.json, {'name': None, 'keys': []})

    def good(self, payload=None):
        return encode(payload or {'name': 'ana'}, SECRET)

    def test_valid_control(self):
        res = get_with_cookie(make_app(), self.good())
        self.assertEqual(res.json['name'], 'ana')

    def test_payload_changed(self):
        head, _, sig = self.good().split('.')
        body = b64url('{"name": "admin"}')
        self.assertNoSession(head + '.' + body + '.' + sig)

    def test_signature_changed(self):
        token = self.good()
        last = 'A' if token[-2] != 'A' else 'B'
        self.assertNoSession(token[:-2] + last + token[-1])

    def test_signature_dropped(self):
        self.assertNoSession(self.good().rpartition('.')[0] + '.')

    def test_other_key(self):
        self.assertNoSession(encode({'name': 'ana'}, OTHER_SECRET))

    def test_alg_none(self):
        self.assertNoSession(forge({'alg': 'none', 'typ': 'JWT'},
                                   {'name': 'ana'}, signature=''))
        self.assertNoSession(forge({'alg': 'None'}, {'name': 'ana'},
                                   signature=''))

    def test_other_algorithms(self):
        for alg in ('HS512', 'RS256', 'hs256', ''):
            self.assertNoSession(forge({'alg': alg, 'typ': 'JWT'},
                                       {'name': 'ana'}))

    def test_expired(self):
        self.assertNoSession(self.good({'name': 'ana', 'exp': 1000}))

    def test_header_without_alg(self):
        # micropython-lib's jwt: KeyError
        self.assertNoSession(forge({'typ': 'JWT'}, {'name': 'ana'}))

    def test_header_not_an_object(self):
        # micropython-lib's jwt: TypeError
        for header in ('[1, 2]', '"HS256"', '42', 'null', 'true'):
            self.assertNoSession(forge(header, {'name': 'ana'}))

    def test_payload_not_an_object(self):
        for payload in ('[1]', '"exp"', '3', 'null'):
            self.assertNoSession(forge({'alg': 'HS256', 'typ': 'JWT'},
                                       payload))

    def test_exp_not_a_number(self):
        for exp in ('"soon"', '[1]', '{}', 'null'):
            self.assertNoSession(forge({'alg': 'HS256', 'typ': 'JWT'},
                                       '{"name": "ana", "exp": %s}' % exp))

    def test_malformed(self):
        for value in ('x', 'a.b', 'a.b.c', 'a.b.c.d', '...', '..',
                      '!!!.@@@.###', 'e30.e30.e30', '\u00e9.\u00e9.\u00e9',
                      b64url('not json') + '.' + b64url('{}') + '.x',
                      '"quoted"', ' ', '=='):
            self.assertNoSession(value)

    def test_invalid_utf8_in_parts(self):
        bad = b64url(b'\xff\xfe{')
        self.assertNoSession(bad + '.' + bad + '.' + bad)

    def test_oversized(self):
        app = make_app()
        old = Session.max_cookie_length
        Session.max_cookie_length = 64
        try:
            self.assertNoSession(self.good({'name': 'ana', 'pad': 'x' * 80}),
                                 app)
        finally:
            Session.max_cookie_length = old
        self.assertIsNone(decode(self.good() + 'x' * 5000, SECRET))

    def test_huge_cookie_header_is_4xx(self):
        res = get_with_cookie(make_app(), 'x' * 9000)
        self.assertTrue(400 <= res.status_code < 500, res.status_code)

    def test_decode_never_raises(self):
        for value in (None, '', 'a.b.c', 123, b'a.b.c', ['a']):
            self.assertIsNone(decode(value, SECRET))
        self.assertIsNone(decode(self.good(), None))
        self.assertIsNone(decode(self.good(), ''))


class CacheTest(unittest.TestCase):
    """The last valid cookie is remembered: never past its exp, never for
    another token or another key."""

    def test_expiry_still_applies(self):
        # past the cached token's exp the token is verified again (and the
        # JWT library then refuses it, as test_expired shows)
        import microdot.session as session
        app = make_app()
        token = encode({'name': 'ana', 'exp': 2000000000}, SECRET)
        calls = []
        saved = session._time, session.decode

        def counting(*args):
            calls.append(1)
            return saved[1](*args)

        session.decode = counting
        try:
            for _ in range(3):
                self.assertEqual(get_with_cookie(app, token).json['name'],
                                 'ana')
            self.assertEqual(len(calls), 1)  # then served from the cache
            session._time = lambda: 2000000001
            get_with_cookie(app, token)
            self.assertEqual(len(calls), 2)
        finally:
            session._time, session.decode = saved

    def test_tampered_after_valid(self):
        app = make_app()
        token = encode({'name': 'ana'}, SECRET)
        self.assertEqual(get_with_cookie(app, token).json['name'], 'ana')
        self.assertEqual(get_with_cookie(app, token + 'x').json['name'],
                         None)
        self.assertEqual(get_with_cookie(app, token[:-1]).json['name'],
                         None)

    def test_new_key_forgets(self):
        app = Microdot()
        session = Session(app, secret_key=SECRET)

        @app.get('/')
        @with_session
        async def index(req, s):
            return {'name': s.get('name')}

        token = encode({'name': 'ana'}, SECRET)
        self.assertEqual(get_with_cookie(app, token).json['name'], 'ana')
        session.initialize(app, secret_key=OTHER_SECRET)
        self.assertEqual(get_with_cookie(app, token).json['name'], None)

    def test_apps_do_not_share(self):
        token = encode({'name': 'ana'}, SECRET)
        self.assertEqual(get_with_cookie(make_app(), token).json['name'],
                         'ana')
        other = Microdot()
        Session(other, secret_key=OTHER_SECRET)

        @other.get('/')
        @with_session
        async def index(req, s):
            return {'name': s.get('name')}

        self.assertEqual(get_with_cookie(other, token).json['name'], None)


class SetCookieTest(unittest.TestCase):
    """Response splitting through a cookie is refused (core set_cookie)."""

    def test_refused(self):
        for bad in (';', '\r', '\n', 'a;Domain=evil', 'a\r\nX: y'):
            for field in ('value', 'path', 'domain'):
                res = Response()
                args = {'path': '/', 'domain': None}
                value = 'v'
                if field == 'value':
                    value = bad
                else:
                    args[field] = bad
                with self.assertRaises(ValueError):
                    res.set_cookie('c', value, **args)


if __name__ == '__main__':
    unittest.main()
