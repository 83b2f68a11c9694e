"""examples/api served by the MicroPython unix port, driven with
`requests` over loopback: the token flow, pages, updates, JSON errors and
the mount-level middleware on a real connection. CPython only."""
import sys
import unittest

IS_MICROPYTHON = sys.implementation.name == 'micropython'
requests = None
if not IS_MICROPYTHON:
    import os
    import socket
    import subprocess
    import time
    try:
        import requests
    except ImportError:
        pass
    ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    # another unix port build (one that can compress, say) via the env
    MICROPYTHON = os.environ.get('API_TEST_MICROPYTHON') or \
        os.path.join(ROOT, '.venv', 'bin', 'micropython')
SERVE = ("from device_api import create_app\n"
         "app = create_app('tokens.json', users={'admin': 'pw'})\n"
         "app.run(host='127.0.0.1', port=%d)\n")


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@unittest.skipIf(IS_MICROPYTHON, 'drives a MicroPython server from CPython')
class LiveApiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if requests is None:
            raise unittest.SkipTest('requests is not installed')
        if not os.path.exists(MICROPYTHON):
            raise unittest.SkipTest('no MicroPython unix port in .venv')
        import tempfile
        cls.tmp = tempfile.TemporaryDirectory()
        cls.port = _free_port()
        env = dict(os.environ, MICROPYPATH='.frozen:%s:%s' % (
            os.path.join(ROOT, 'modules'),
            os.path.join(ROOT, 'examples', 'api')))
        cls.proc = subprocess.Popen(
            [MICROPYTHON, '-c', SERVE % cls.port], env=env, cwd=cls.tmp.name,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(('127.0.0.1', cls.port), 0.2).close()
                break
            except OSError:
                if cls.proc.poll() is not None or \
                        time.monotonic() > deadline:
                    out = cls.proc.communicate(timeout=5)[0]
                    cls._stop()
                    raise RuntimeError('server did not start: %r' % out)
                time.sleep(0.05)
        cls.base = 'http://127.0.0.1:%d' % cls.port

    @classmethod
    def _stop(cls):
        if cls.proc.poll() is None:
            cls.proc.kill()
        cls.proc.wait(5)
        cls.proc.stdout.close()
        cls.tmp.cleanup()

    @classmethod
    def tearDownClass(cls):
        cls._stop()

    def url(self, path):
        return self.base + path

    def token(self, session):
        res = session.post(self.url('/api/tokens'), auth=('admin', 'pw'),
                           timeout=5)
        self.assertEqual(res.status_code, 200)
        return res.json()['token']

    def test_token_flow(self):
        with requests.Session() as s:
            res = s.post(self.url('/api/tokens'), auth=('admin', 'no'),
                         timeout=5)
            self.assertEqual(res.status_code, 401)
            self.assertEqual(res.json()['error'], 'Unauthorized')
            token = self.token(s)
            auth = {'Authorization': 'Bearer ' + token}
            res = s.get(self.url('/api/sensors/1'), headers=auth, timeout=5)
            self.assertEqual(res.status_code, 200)
            self.assertEqual(res.json()['id'], 1)
            with open(os.path.join(self.tmp.name, 'tokens.json')) as f:
                self.assertIn(token, f.read())
            res = s.delete(self.url('/api/tokens'), headers=auth, timeout=5)
            self.assertEqual(res.status_code, 204)
            res = s.get(self.url('/api/sensors/1'), headers=auth, timeout=5)
            self.assertEqual(res.status_code, 401)

    def test_pages_follow_links(self):
        with requests.Session() as s:
            auth = {'Authorization': 'Bearer ' + self.token(s)}
            url = self.url('/api/sensors')
            ids = []
            while url:
                res = s.get(url, headers=auth, timeout=5)
                self.assertEqual(res.status_code, 200)
                body = res.json()
                ids += [item['id'] for item in body['items']]
                url = body['_links']['next'] and \
                    self.url(body['_links']['next'])
            self.assertEqual(ids, list(range(1, 13)))

    def test_update_and_errors(self):
        with requests.Session() as s:
            auth = {'Authorization': 'Bearer ' + self.token(s)}
            res = s.patch(self.url('/api/sensors/4'), headers=auth,
                          json={'name': 'porch light', 'interval': 30},
                          timeout=5)
            self.assertEqual(res.status_code, 200)
            self.assertEqual(res.json()['name'], 'porch light')
            res = s.patch(self.url('/api/sensors/4'), headers=auth,
                          json={'interval': 99999}, timeout=5)
            self.assertEqual(res.status_code, 400)
            self.assertIn('interval', res.json()['message'])
            res = s.get(self.url('/api/sensors/77'), headers=auth, timeout=5)
            self.assertEqual(res.json(), {'error': 'Not Found',
                                          'message': 'no sensor with id 77'})
            res = s.put(self.url('/api/tokens'), timeout=5)
            self.assertEqual(res.status_code, 405)
            self.assertEqual(res.json()['error'], 'Method Not Allowed')

    def test_middleware_on_the_wire(self):
        with requests.Session() as s:
            auth = {'Authorization': 'Bearer ' + self.token(s),
                    'Accept-Encoding': 'gzip'}
            res = s.get(self.url('/api/sensors?per_page=20'), headers=auth,
                        timeout=5)
            self.assertEqual(len(res.json()['items']), 12)  # decoded
            self.assertTrue(res.headers['Server-Timing'].startswith(
                'app;dur='))
            self.assertEqual(res.headers['X-Frame-Options'], 'DENY')
            # gzip where the firmware can compress; this unix port build
            # may only decompress, and then the body passes unchanged
            encoding = res.headers.get('Content-Encoding')
            self.assertIn(encoding, (None, 'gzip'))
            if encoding == 'gzip':
                self.assertIn('Accept-Encoding', res.headers['Vary'])


if __name__ == '__main__':
    unittest.main()
