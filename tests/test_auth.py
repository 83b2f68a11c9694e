"""microdot.auth: Basic and token authentication, with malformed
credentials (each a 401, never a 500), and compare_digest."""
import binascii
import unittest

from microdot import Microdot
from microdot.auth import BasicAuth, TokenAuth, compare_digest
from support import run, make_client

PASSWORD = 'correct horse battery staple'
TOKEN = 'tok-0123456789abcdef'


def b64(data):
    if isinstance(data, str):
        data = data.encode()
    return binascii.b2a_base64(data).strip().decode()


def make_app(auth_class=BasicAuth, sync=False, **options):
    app = Microdot()
    auth = auth_class(**options)
    calls = []

    if auth_class is BasicAuth:
        if sync:
            @auth.authenticate
            def verify(request, username, password):
                calls.append((username, password))
                if username == 'ana' and compare_digest(password, PASSWORD):
                    return {'name': username}
        else:
            @auth.authenticate
            async def verify(request, username, password):
                calls.append((username, password))
                if username == 'ana' and compare_digest(password, PASSWORD):
                    return {'name': username}
    else:
        @auth.authenticate
        async def verify(request, token):
            calls.append(token)
            if compare_digest(token, TOKEN):
                return {'name': 'device'}

    @app.get('/private')
    @auth
    async def private(request):
        return {'user': request.g.current_user['name']}

    @app.get('/maybe')
    @auth.optional
    async def maybe(request):
        user = request.g.current_user
        return {'user': user['name'] if user else None}

    @app.get('/item/<int:n>')
    @auth
    async def item(request, n):
        return {'n': n}

    app.calls = calls
    app.auth = auth
    return app


def get(app, path, value, header='Authorization'):
    headers = {} if value is None else {header: value}
    return run(make_client(app).get(path, headers=headers))


class BasicAuthTest(unittest.TestCase):
    def test_valid(self):
        res = get(make_app(), '/private', 'Basic ' + b64('ana:' + PASSWORD))
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.json, {'user': 'ana'})

    def test_sync_verify(self):
        res = get(make_app(sync=True), '/private',
                  'Basic ' + b64('ana:' + PASSWORD))
        self.assertEqual(res.json, {'user': 'ana'})

    def test_url_args_pass_through(self):
        res = get(make_app(), '/item/7', 'Basic ' + b64('ana:' + PASSWORD))
        self.assertEqual(res.json, {'n': 7})

    def test_scheme_case_insensitive(self):
        res = get(make_app(), '/private', 'basic ' + b64('ana:' + PASSWORD))
        self.assertEqual(res.status_code, 200)

    def test_password_with_colon(self):
        app = make_app()
        get(app, '/private', 'Basic ' + b64('ana:a:b'))
        self.assertEqual(app.calls, [('ana', 'a:b')])

    def test_missing_is_401_with_challenge(self):
        res = get(make_app(), '/private', None)
        self.assertEqual(res.status_code, 401)
        self.assertEqual(res.headers['WWW-Authenticate'],
                         'Basic realm="Please login", charset="UTF-8"')

    def test_realm_quoted(self):
        app = make_app(realm='my "board"')
        res = get(app, '/private', None)
        self.assertEqual(res.headers['WWW-Authenticate'],
                         'Basic realm="my \\"board\\"", charset="UTF-8"')

    def test_wrong_password(self):
        res = get(make_app(), '/private', 'Basic ' + b64('ana:nope'))
        self.assertEqual(res.status_code, 401)

    def test_malformed_is_401(self):
        app = make_app()
        for value in ('Basic', 'Basic ', 'Basic !!!!', 'Basic abc',
                      'Basic ' + b64('no-colon'),
                      'Basic ' + b64(b'ana:\xff\xfe'),
                      'Basic ' + b64(b'\xc0\xafana:x'),
                      'Basic \u00e9\u00e9\u00e9\u00e9',
                      'Bearer ' + b64('ana:' + PASSWORD),
                      'Basicx ' + b64('ana:' + PASSWORD),
                      b64('ana:' + PASSWORD), ' ', ':'):
            res = get(app, '/private', value)
            self.assertEqual(res.status_code, 401, value)

    def test_huge_header(self):
        app = make_app()
        res = get(app, '/private', 'Basic ' + 'QUFB' * 450)  # 1.8 KB
        self.assertEqual(res.status_code, 401)
        self.assertEqual(app.calls, [])
        res = get(app, '/private', 'Basic ' + 'QUFB' * 3000)  # past the core
        self.assertTrue(400 <= res.status_code < 500, res.status_code)

    def test_optional(self):
        app = make_app()
        self.assertEqual(get(app, '/maybe', None).json, {'user': None})
        self.assertEqual(get(app, '/maybe', 'Basic x').json, {'user': None})
        res = get(app, '/maybe', 'Basic ' + b64('ana:' + PASSWORD))
        self.assertEqual(res.json, {'user': 'ana'})

    def test_errorhandler(self):
        app = make_app()

        @app.auth.errorhandler
        async def denied(request):
            return {'error': 'who are you?'}, 403

        res = get(app, '/private', 'Basic ' + b64('ana:nope'))
        self.assertEqual(res.status_code, 403)
        self.assertEqual(res.json, {'error': 'who are you?'})

    def test_error_status(self):
        res = get(make_app(error_status=403), '/private', None)
        self.assertEqual(res.status_code, 403)


class TokenAuthTest(unittest.TestCase):
    def test_valid(self):
        res = get(make_app(TokenAuth), '/private', 'Bearer ' + TOKEN)
        self.assertEqual(res.json, {'user': 'device'})

    def test_invalid_and_malformed(self):
        app = make_app(TokenAuth)
        for value in (None, '', 'Bearer', 'Bearer ', 'Bearer wrong',
                      TOKEN, 'Basic ' + TOKEN, 'Bearer ' + TOKEN + 'x',
                      'Bearer ' + TOKEN[:-1], 'Bearer \u00e9',
                      'Bearer ' + 'x' * 1800):
            res = get(app, '/private', value)
            self.assertEqual(res.status_code, 401, value)
            self.assertNotIn('WWW-Authenticate', res.headers)

    def test_custom_header(self):
        app = make_app(TokenAuth, header='X-API-Key', scheme=None)
        res = get(app, '/private', TOKEN, header='X-API-Key')
        self.assertEqual(res.status_code, 200)
        res = get(app, '/private', 'Bearer ' + TOKEN)
        self.assertEqual(res.status_code, 401)

    def test_optional(self):
        app = make_app(TokenAuth)
        self.assertEqual(get(app, '/maybe', 'Bearer no').json,
                         {'user': None})
        self.assertEqual(get(app, '/maybe', 'Bearer ' + TOKEN).json,
                         {'user': 'device'})


class CompareDigestTest(unittest.TestCase):
    def test_values(self):
        self.assertTrue(compare_digest('abc', 'abc'))
        self.assertTrue(compare_digest(b'abc', 'abc'))
        self.assertTrue(compare_digest('', ''))
        self.assertFalse(compare_digest('abc', 'abd'))
        self.assertFalse(compare_digest('abc', 'ab'))
        self.assertFalse(compare_digest('ab', 'abc'))
        self.assertFalse(compare_digest('', 'a'))
        self.assertTrue(compare_digest('caf\u00e9', 'caf\u00e9'))
        self.assertFalse(compare_digest('caf\u00e9', 'cafe'))

    def test_python_fallback(self):
        import microdot.auth as auth
        saved = auth._hmac_compare
        auth._hmac_compare = None
        try:
            self.assertTrue(compare_digest('secret', 'secret'))
            self.assertFalse(compare_digest('secret', 'secreT'))
            self.assertFalse(compare_digest('secret', 'secret!'))
            self.assertFalse(compare_digest('secret!', 'secret'))
        finally:
            auth._hmac_compare = saved


if __name__ == '__main__':
    unittest.main()
