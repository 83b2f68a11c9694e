"""The same apps on real servers: ours, uvicorn (h11 and httptools),
hypercorn, gunicorn (sync and gthread), driven over loopback.

Every example in examples/ must answer the same through each of them
(tests/server_targets.py serves them all in one process per server), and
the streaming, upload, file, HEAD and WebSocket paths work on each.
CPython only; each server is started once for this file.
"""
import os
import sys
import unittest

IS_MICROPYTHON = sys.implementation.name == 'micropython'
requests = httpx = websockets_sync = None
if not IS_MICROPYTHON:
    import subprocess
    import time
    try:
        import requests
        import httpx
        from websockets.sync import client as websockets_sync
    except ImportError:
        pass
    import server_targets
    import live_servers as live
    from live_servers import SERVERS, PY, HERE, free_port, fetch, \
        static_get_routes

SKIP = None


def setUpModule():
    global SKIP
    if IS_MICROPYTHON:
        return
    if requests is None or httpx is None or \
            not live.have('uvicorn') or not live.have('gunicorn'):
        SKIP = 'needs requests, httpx, websockets, uvicorn and gunicorn'
        return
    live.start()


def tearDownModule():
    if not IS_MICROPYTHON:
        live.stop()


@unittest.skipIf(IS_MICROPYTHON, 'real servers run on CPython only')
class ExamplesTest(unittest.TestCase):
    def setUp(self):
        if SKIP:
            self.skipTest(SKIP)

    def test_every_example_answers_the_same(self):
        names = server_targets.names()
        self.assertIn('hello', names)
        for name in names:
            app = server_targets.load(name)
            paths = static_get_routes(app) + ['/no/such/page']
            for path in paths:
                for method in ('GET', 'HEAD'):
                    want = fetch(method, SERVERS['own'](name, path))
                    for server, url in SERVERS.items():
                        with self.subTest(example=name, path=path,
                                          server=server, method=method):
                            self.assertEqual(fetch(method, url(name, path)),
                                             want)

    def test_app_run_starts_a_default_server(self):
        code = ('import sys; from microdot.%s import Microdot\n'
                'app = Microdot()\n'
                '@app.route("/")\n'
                'async def index(request):\n'
                '    return {"kind": "%s", "scheme": request.scheme}\n'
                'app.run(host="127.0.0.1", port=int(sys.argv[1]))\n')
        for kind in ('asgi', 'wsgi'):
            with self.subTest(kind=kind):
                port = free_port()
                proc = subprocess.Popen(
                    [PY, '-c', code % (kind, kind), str(port)],
                    env=dict(os.environ, PYTHONPATH=server_targets.ROOT +
                             '/modules'), stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL)
                try:
                    deadline = time.monotonic() + 20
                    while True:
                        try:
                            res = requests.get('http://127.0.0.1:%d/' % port,
                                               timeout=5)
                            break
                        except requests.ConnectionError:
                            if time.monotonic() > deadline or \
                                    proc.poll() is not None:
                                raise
                            time.sleep(0.1)
                    self.assertEqual(res.json(), {'kind': kind,
                                                  'scheme': 'http'})
                finally:
                    proc.terminate()
                    proc.wait(10)

    def test_hello_example(self):
        for server, url in SERVERS.items():
            with self.subTest(server=server):
                res = requests.get(url('hello', '/api/hello/you'), timeout=5)
                self.assertEqual(res.json(), {'hello': 'you',
                                              'scheme': 'http'})
                res = requests.get(url('hello', '/count/5'), timeout=5)
                self.assertEqual(res.text, '0\n1\n2\n3\n4\n')
                res = requests.post(url('hello', '/upload'),
                                    data=b'x' * 100000, timeout=5)
                self.assertEqual(res.json(), {'received': 100000})


@unittest.skipIf(IS_MICROPYTHON, 'real servers run on CPython only')
class FeaturesTest(unittest.TestCase):
    def setUp(self):
        if SKIP:
            self.skipTest(SKIP)

    def each(self, check):
        """check(url) for each server, where url(path) is the test app's."""
        for server, url in SERVERS.items():
            with self.subTest(server=server):
                self.server = server
                check(lambda path, url=url: url('_t', path))

    def test_request_attributes(self):
        def check(url):
            res = requests.get(url('/echo?q=a%20b'), timeout=5,
                               headers={'X-Test': 'yes'})
            self.assertEqual(res.json(), {
                'method': 'GET', 'scheme': 'http', 'client': '127.0.0.1',
                'args': 'a b', 'header': 'yes', 'body': 0,
                'streamed': False})
        self.each(check)

    def test_no_content(self):
        def check(url):
            res = requests.get(url('/nothing'), timeout=5)
            self.assertEqual((res.status_code, res.content), (204, b''))
            if self.server != 'own':  # the core's own server sends one
                self.assertNotIn('Content-Length', res.headers)
        self.each(check)

    def test_bodies_small_large_and_chunked(self):
        def check(url):
            res = requests.post(url('/echo'), data=b'y' * 1000, timeout=5)
            self.assertEqual(res.json()['body'], 1000)
            res = requests.post(url('/echo'), data=b'y' * 50000, timeout=5)
            self.assertTrue(res.json()['streamed'])  # over max_body_length
            res = requests.post(url('/upload'), data=b'z' * 300000,
                                timeout=5)
            self.assertEqual(res.json(), {'received': 300000})
            # a chunked upload (a generator: no Content-Length)
            res = requests.post(url('/upload'), data=(b'c' * 10000
                                                      for _ in range(30)),
                                timeout=5)
            self.assertEqual(res.json(), {'received': 300000})
            limit = requests.get(url('/limit'), timeout=5).json()[
                'max_content_length']
            res = requests.post(url('/upload'), data=b'z' * (limit + 1),
                                timeout=5)
            self.assertEqual(res.status_code, 413)
        self.each(check)

    def test_streamed_reply_arrives_in_pieces(self):
        def check(url):
            # 400 pieces 50 ms apart: 20 s in all; the first ones must come
            # well inside the 5 s timeout, so nothing buffers the reply
            with httpx.stream('GET', url('/slow/400'), timeout=5) as res:
                self.assertNotIn('content-length', res.headers)
                lines = res.iter_lines()
                self.assertEqual(next(lines), 'piece 1')
                self.assertEqual(next(lines), 'piece 2')
            res = httpx.get(url('/slow/3'), timeout=5)
            self.assertEqual(res.text, 'piece 1\npiece 2\npiece 3\n')
        self.each(check)

    def test_client_going_away_stops_the_body(self):
        def check(url):
            before = requests.get(url('/ticks'), timeout=5).json()
            with httpx.stream('GET', url('/endless'), timeout=5) as res:
                next(res.iter_bytes())
            for _ in range(100):
                now = requests.get(url('/ticks'), timeout=5).json()
                if now['stopped'] > before['stopped']:
                    break
                time.sleep(0.05)
            self.assertEqual(now['started'], before['started'] + 1)
            self.assertEqual(now['stopped'], before['stopped'] + 1)
        self.each(check)

    def test_sse(self):
        try:
            import microdot.sse  # noqa: F401
        except ImportError:
            self.skipTest('microdot.sse is not there')

        def check(url):
            res = httpx.get(url('/sse'), timeout=5)
            self.assertTrue(res.headers['content-type'].startswith(
                'text/event-stream'))
            self.assertEqual(res.text.count('event: count'), 3)
            self.assertIn('data: {"n": 2}', res.text)
        self.each(check)

    def test_file_and_head(self):
        with open(server_targets.__file__, 'rb') as f:
            data = f.read()

        def check(url):
            res = requests.get(url('/file'), timeout=5)
            self.assertEqual(res.content, data)
            self.assertEqual(res.headers['Content-Length'], str(len(data)))
            self.assertEqual(res.headers['Content-Type'], 'text/x-python')
            res = requests.head(url('/file'), timeout=5)
            self.assertEqual(res.content, b'')
            self.assertEqual(res.headers['Content-Length'], str(len(data)))
        self.each(check)

    def test_websocket_refused(self):
        # a broken handshake is answered over HTTP, and the connection is
        # usable by the server for that answer (gunicorn: our copy of its
        # socket is closed first)
        def check(url):
            res = requests.get(url('/ws'), timeout=5, headers={
                'Upgrade': 'websocket', 'Connection': 'Upgrade',
                'Sec-WebSocket-Version': '13'})
            self.assertEqual(res.status_code, 400)
        self.each(check)

    def test_lifespan(self):
        for server, url in SERVERS.items():
            if server.startswith(('uvicorn', 'hypercorn')):
                with self.subTest(server=server):
                    res = requests.get(url('_t', '/lifespan'), timeout=5)
                    self.assertEqual(res.json(), {'startup': 'lifespan'})
        # a failing startup hook: uvicorn reports it and does not serve
        proc = subprocess.run(
            [PY, '-m', 'uvicorn', '--factory', 'server_targets:failing',
             '--port', str(free_port()), '--lifespan', 'on'],
            cwd=HERE, env=dict(os.environ, PYTHONPATH=HERE),
            capture_output=True, text=True, timeout=30)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn('no database here', proc.stdout + proc.stderr)

    def test_websocket_echo(self):
        if websockets_sync is None:
            self.skipTest('websockets is not installed')
        try:
            import microdot.websocket  # noqa: F401
        except ImportError:
            self.skipTest('microdot.websocket is not there yet')

        def check(url):
            ws_url = 'ws' + url('/ws')[4:]
            with websockets_sync.connect(ws_url, open_timeout=5,
                                         close_timeout=5) as ws:
                ws.send('hello')
                self.assertEqual(ws.recv(5), 'hello')
                ws.send(b'\x00\x01' * 5000)
                self.assertEqual(ws.recv(5), b'\x00\x01' * 5000)
                ws.send('close')
                with self.assertRaises(Exception):
                    ws.recv(5)
                self.assertEqual(ws.close_code, 1000)
            # close codes both ways
            with websockets_sync.connect(ws_url, open_timeout=5,
                                         close_timeout=5) as ws:
                ws.send('close4001')
                with self.assertRaises(Exception):
                    ws.recv(5)
                self.assertEqual((ws.close_code, ws.close_reason),
                                 (4001, 'as asked'))
            with websockets_sync.connect(ws_url, open_timeout=5,
                                         close_timeout=5) as ws:
                ws.send('x')
                ws.recv(5)
                ws.close(4002, 'client done')
            if self.server == 'hypercorn':
                return  # it reports 1000/1006, not the client's close code
            for _ in range(100):
                code = requests.get(url('/ws/closed'), timeout=5).json()[
                    'code']
                if code == 4002:
                    break
                time.sleep(0.05)
            self.assertEqual(code, 4002)
        self.each(check)


if __name__ == '__main__':
    unittest.main()
