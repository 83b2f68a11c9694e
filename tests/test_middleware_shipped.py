"""The shipped middleware classes, each called directly with a stand-in
next handler (no app, no server): TrustedHost, HTTPSRedirect, GZip,
SecurityHeaders, Timing and the Middleware base class."""
import unittest

from microdot import Request, Response, HTTPException
from microdot.structures import NoCaseDict
from microdot.middleware import Middleware, add_vary, request_host
from microdot.trustedhost import TrustedHost
from microdot.httpsredirect import HTTPSRedirect
from microdot.securityheaders import SecurityHeaders
from microdot.timing import Timing
from microdot.compress import GZip, accepts_gzip, gzip_compressor
from support import run

try:
    import gzip as std_gzip
except ImportError:
    std_gzip = None


def make_request(url='/', headers=None, scheme=None, method='GET'):
    h = NoCaseDict({'Host': 'localhost'} if headers is None else headers)
    return Request(None, ('127.0.0.1', 1), method, url, '1.1', h,
                   scheme=scheme)


class replying:
    """A next handler that records its calls and returns a Response."""

    def __init__(self, *args, **kwargs):
        self.args = args
        self.kwargs = kwargs
        self.calls = []

    async def __call__(self, request):
        self.calls.append(request)
        return Response(*self.args, **self.kwargs)


class BaseTest(unittest.TestCase):
    def test_passes_through(self):
        nxt = replying('hi')
        req = make_request()
        res = run(Middleware(nxt)(req))
        self.assertEqual(res.body, b'hi')
        self.assertEqual(nxt.calls, [req])

    def test_unknown_option_is_an_error(self):
        with self.assertRaises(TypeError):
            Middleware(replying(), colour='red')
        with self.assertRaises(TypeError):
            TrustedHost(replying(), allowed=['x'])

    def test_request_host(self):
        self.assertEqual(request_host(make_request(
            headers={'Host': 'Example.COM:5000'})), 'example.com')
        self.assertEqual(request_host(make_request(
            headers={'Host': '[::1]:80'})), '[::1]')
        self.assertEqual(request_host(make_request(headers={})), '')

    def test_add_vary(self):
        res = Response('x')
        add_vary(res, 'Accept-Encoding')
        add_vary(res, 'accept-encoding')
        add_vary(res, 'Origin')
        self.assertEqual(res.headers['Vary'], 'Accept-Encoding, Origin')


class TrustedHostTest(unittest.TestCase):
    def check(self, allowed, host):
        nxt = replying('ok')
        mw = TrustedHost(nxt, allowed_hosts=allowed)
        headers = {} if host is None else {'Host': host}
        try:
            res = run(mw(make_request(headers=headers)))
        except HTTPException as exc:
            self.assertEqual(nxt.calls, [])
            return exc.status_code
        self.assertEqual(len(nxt.calls), 1)
        return res.status_code

    def test_exact_and_port(self):
        allowed = ['example.com', '*.example.org']
        self.assertEqual(self.check(allowed, 'example.com'), 200)
        self.assertEqual(self.check(allowed, 'EXAMPLE.com:8080'), 200)
        self.assertEqual(self.check(allowed, 'evil.com'), 400)
        self.assertEqual(self.check(allowed, 'example.com.evil.com'), 400)
        self.assertEqual(self.check(allowed, None), 400)
        self.assertEqual(self.check(allowed, ''), 400)

    def test_wildcard(self):
        allowed = ['*.example.com']
        self.assertEqual(self.check(allowed, 'api.example.com'), 200)
        self.assertEqual(self.check(allowed, 'a.b.example.com:5000'), 200)
        self.assertEqual(self.check(allowed, 'example.com'), 400)
        self.assertEqual(self.check(allowed, 'badexample.com'), 400)
        self.assertEqual(self.check(allowed, '.example.com'), 400)

    def test_star_and_string(self):
        self.assertEqual(self.check(['*'], 'anything'), 200)
        self.assertEqual(self.check('board.local', 'board.local'), 200)
        self.assertEqual(self.check('board.local', 'other'), 400)

    def test_bad_wildcard(self):
        with self.assertRaises(ValueError):
            TrustedHost(replying(), allowed_hosts=['api.*.com'])

    def test_reason(self):
        mw = TrustedHost(replying(), allowed_hosts=['a'])
        try:
            run(mw(make_request(headers={'Host': 'b'})))
        except HTTPException as exc:
            self.assertEqual(exc.reason, 'Invalid host header')
        else:
            self.fail('no 400')


class HTTPSRedirectTest(unittest.TestCase):
    def call(self, url='/x?a=1', headers=None, scheme=None, **options):
        nxt = replying('secure')
        res = run(HTTPSRedirect(nxt, **options)(
            make_request(url, headers, scheme)))
        return res, nxt.calls

    def test_redirects_http(self):
        res, calls = self.call(headers={'Host': 'board.local:5000'})
        self.assertEqual(calls, [])
        self.assertEqual(res.status_code, 307)
        self.assertEqual(res.headers['Location'],
                         'https://board.local:5000/x?a=1')

    def test_port_80_dropped_and_https_port(self):
        res, _ = self.call('/', {'Host': 'board.local:80'})
        self.assertEqual(res.headers['Location'], 'https://board.local/')
        res, _ = self.call('/p', {'Host': 'board.local:5000'},
                           https_port=8443, status_code=308)
        self.assertEqual(res.status_code, 308)
        self.assertEqual(res.headers['Location'],
                         'https://board.local:8443/p')
        res, _ = self.call('/p', {'Host': '[::1]:5000'}, https_port=443)
        self.assertEqual(res.headers['Location'], 'https://[::1]/p')

    def test_https_passes(self):
        res, calls = self.call(scheme='https')
        self.assertEqual(res.body, b'secure')
        self.assertEqual(len(calls), 1)

    def test_forwarded_proto_only_when_trusted(self):
        headers = {'Host': 'h', 'X-Forwarded-Proto': 'https'}
        res, calls = self.call(headers=headers)
        self.assertEqual(res.status_code, 307)  # not trusted: ignored
        res, calls = self.call(headers=headers, trust_proxy=True)
        self.assertEqual(res.status_code, 200)
        headers['X-Forwarded-Proto'] = 'http, https'
        res, calls = self.call(headers=headers, trust_proxy=True)
        self.assertEqual(res.status_code, 307)
        # trusted proxy says http although the hop to us is https
        res, calls = self.call(headers=headers, scheme='https',
                               trust_proxy=True)
        self.assertEqual(res.status_code, 307)

    def test_bad_host_is_400(self):
        for host in (None, 'evil.com/path', 'a@b', 'a b'):
            with self.assertRaises(HTTPException) as cm:
                self.call(headers={} if host is None else {'Host': host})
            self.assertEqual(cm.exception.status_code, 400)

    def test_absolute_form_target(self):
        res, _ = self.call('http://h/abs?q=1', {'Host': 'h'})
        self.assertEqual(res.headers['Location'], 'https://h/abs?q=1')


class SecurityHeadersTest(unittest.TestCase):
    def call(self, scheme=None, res_headers=None, **options):
        nxt = replying('x', 200, res_headers)
        return run(SecurityHeaders(nxt, **options)(make_request(
            scheme=scheme))).headers

    def test_defaults(self):
        h = self.call()
        self.assertEqual(h['X-Content-Type-Options'], 'nosniff')
        self.assertEqual(h['X-Frame-Options'], 'DENY')
        self.assertEqual(h['Referrer-Policy'],
                         'strict-origin-when-cross-origin')
        self.assertEqual(h['Content-Security-Policy'], "default-src 'self'")
        self.assertNotIn('Strict-Transport-Security', h)  # plain HTTP
        h = self.call(scheme='https')
        self.assertEqual(h['Strict-Transport-Security'],
                         'max-age=31536000; includeSubDomains')

    def test_options(self):
        h = self.call(hsts_max_age=60, hsts_include_subdomains=False,
                      hsts_preload=True, hsts_always=True,
                      content_security_policy={
                          'default-src': "'self'",
                          'img-src': ["'self'", 'data:']},
                      frame_options='SAMEORIGIN', referrer_policy=None,
                      content_type_options=None,
                      headers={'Permissions-Policy': 'camera=()'})
        self.assertEqual(h['Strict-Transport-Security'],
                         'max-age=60; preload')
        self.assertEqual(h['Content-Security-Policy'],
                         "default-src 'self'; img-src 'self' data:")
        self.assertEqual(h['X-Frame-Options'], 'SAMEORIGIN')
        self.assertEqual(h['Permissions-Policy'], 'camera=()')
        self.assertNotIn('Referrer-Policy', h)
        self.assertNotIn('X-Content-Type-Options', h)
        h = self.call(scheme='https', hsts_max_age=None)
        self.assertNotIn('Strict-Transport-Security', h)

    def test_handler_headers_win(self):
        h = self.call(res_headers={'X-Frame-Options': 'SAMEORIGIN'})
        self.assertEqual(h['X-Frame-Options'], 'SAMEORIGIN')


class TimingTest(unittest.TestCase):
    def test_header(self):
        res = run(Timing(replying('x'))(make_request()))
        value = res.headers['Server-Timing']
        self.assertTrue(value.startswith('app;dur='), value)
        self.assertTrue(float(value[len('app;dur='):]) >= 0)

    def test_name_description_and_append(self):
        nxt = replying('x', 200, {'Server-Timing': 'db;dur=2'})
        res = run(Timing(nxt, name='total', description='all "of" it')(
            make_request()))
        value = res.headers['Server-Timing']
        self.assertTrue(value.startswith(
            "db;dur=2, total;desc=\"all 'of' it\";dur="), value)

    def test_already_handled_untouched(self):
        async def nxt(request):
            return Response.already_handled
        res = run(Timing(nxt)(make_request()))
        self.assertIs(res, Response.already_handled)


TEXT = 'temperature,humidity\n' + '21.5,40\n' * 200


def collect(res):
    """All the bytes of a response's body, through its body iterator."""
    async def read():
        out = b''
        async for piece in res.body_iter():
            out += piece
        return out
    return run(read())


def gunzip(data):
    if std_gzip is not None:
        return std_gzip.decompress(data)
    import deflate
    import io
    return deflate.DeflateIO(io.BytesIO(data), deflate.GZIP).read()


class GZipTest(unittest.TestCase):
    def call(self, body=TEXT, accept='gzip, deflate', status=200,
             res_headers=None, **options):
        headers = {'Host': 'h'}
        if accept is not None:
            headers['Accept-Encoding'] = accept
        nxt = replying(body, status, res_headers)
        return run(GZip(nxt, **options)(make_request(headers=headers)))

    def test_accepts_gzip(self):
        self.assertTrue(accepts_gzip('gzip'))
        self.assertTrue(accepts_gzip('deflate, GZIP;q=0.5'))
        self.assertTrue(accepts_gzip('*'))
        self.assertFalse(accepts_gzip('gzip;q=0'))
        self.assertFalse(accepts_gzip('*;q=0, br'))
        self.assertFalse(accepts_gzip('gzip;q=0, *'))
        self.assertFalse(accepts_gzip('br'))
        self.assertFalse(accepts_gzip(''))
        self.assertFalse(accepts_gzip(None))

    def test_compresses_or_passes_through(self):
        res = self.call()
        if gzip_compressor() is None:
            # this MicroPython firmware can not compress: nothing changes
            self.assertEqual(res.body, TEXT.encode())
            self.assertNotIn('Content-Encoding', res.headers)
            return
        self.assertEqual(res.headers['Content-Encoding'], 'gzip')
        self.assertEqual(res.headers['Vary'], 'Accept-Encoding')
        self.assertTrue(len(res.body) < len(TEXT) // 4, len(res.body))
        self.assertEqual(res.body[:2], b'\x1f\x8b')
        self.assertEqual(gunzip(res.body), TEXT.encode())

    @unittest.skipIf(gzip_compressor() is None, 'no deflate compression')
    def test_json_and_etag(self):
        body = {'readings': list(range(300))}
        res = self.call(body, res_headers={'ETag': '"v1"'})
        self.assertEqual(res.headers['Content-Encoding'], 'gzip')
        self.assertEqual(res.headers['ETag'], 'W/"v1"')
        self.assertEqual(res.headers['Content-Type'],
                         'application/json; charset=UTF-8')

    @unittest.skipIf(gzip_compressor() is None, 'no deflate compression')
    def test_content_length_updated(self):
        res = self.call(res_headers={'Content-Length': str(len(TEXT))})
        self.assertEqual(res.headers['Content-Length'], str(len(res.body)))

    @unittest.skipIf(gzip_compressor() is None, 'no deflate compression')
    def test_not_compressed(self):
        cases = [
            dict(accept=None), dict(accept='br'), dict(accept='gzip;q=0'),
            dict(body='short'), dict(minimum_size=len(TEXT) + 1),
            dict(status=204, body=''), dict(status=304),
            dict(res_headers={'Content-Type': 'image/png'}),
            dict(res_headers={'Content-Encoding': 'br'}),
            dict(res_headers={'Cache-Control': 'no-transform'}),
            dict(status=206, res_headers={'Content-Range': 'bytes 0-9/99'}),
        ]
        for case in cases:
            res = self.call(**case)
            self.assertNotEqual(res.headers.get('Content-Encoding'), 'gzip',
                                case)
        # a client that refuses gzip still learns the response varies
        res = self.call(accept='br')
        self.assertEqual(res.headers['Vary'], 'Accept-Encoding')

    def test_streamed_bodies(self):
        pieces = [TEXT[i:i + 300] for i in range(0, len(TEXT), 300)]
        res = self.call(body=iter(pieces))
        data = collect(res)
        if gzip_compressor() is None:
            self.assertEqual(data, TEXT.encode())
            return
        self.assertEqual(res.headers['Content-Encoding'], 'gzip')
        self.assertEqual(gunzip(data), TEXT.encode())
        self.assertTrue(len(data) < len(TEXT) // 4, len(data))
        # a file with its length: over the minimum, compressed, no length
        res = self.call(body=iter([b'x' * 2000]),
                        res_headers={'Content-Length': '2000'})
        self.assertNotIn('Content-Length', res.headers)
        self.assertEqual(gunzip(collect(res)), b'x' * 2000)
        for case in (dict(streams=False),
                     dict(res_headers={'Content-Length': '10'}),
                     dict(res_headers={'Content-Type':
                                       'text/event-stream'})):
            res = self.call(body=iter(pieces), **case)
            self.assertNotIn('Content-Encoding', res.headers, case)
            self.assertEqual(collect(res), TEXT.encode())


if __name__ == '__main__':
    unittest.main()
