"""End to end on the MicroPython unix port: the boot in setup mode
(tests/captive_runner.py, a fake `network` module, real sockets) answers
DNS on a loopback port to a real DNS client library (dnspython), redirects
the connectivity checks, saves the form's network to config.json, shows
the state on /status, joins and then serves the app. CPython only: it
starts `.venv/bin/micropython` as a subprocess."""
import json
import os
import sys
import unittest

try:
    import socket
    import subprocess
    import time
    import http.client
except ImportError:  # MicroPython
    subprocess = None

try:
    import dns.message
    import dns.query
    import dns.rdatatype
    import dns.resolver
except ImportError:
    dns = None

HERE = REPO = ''
if subprocess is not None:
    HERE = os.path.dirname(os.path.abspath(__file__))
    REPO = os.path.dirname(HERE)
AP = '192.168.4.1'

APP = '''from microdot import Microdot
app = Microdot()


@app.get('/')
async def index(request):
    return 'the app, limit %r' % (app.max_connections,)
'''


def free_ports(n):
    socks, ports = [], []
    for _ in range(n):
        s = socket.socket()
        s.bind(('127.0.0.1', 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    return ports


def micropython():
    path = os.environ.get('MICROPYTHON') or \
        os.path.join(REPO, '.venv', 'bin', 'micropython')
    return path if os.path.exists(path) else None


class Runner:
    """captive_runner.py in a subprocess with its own root directory."""

    def __init__(self, tmp, improv=False, **config):
        self.root = tmp
        self.http, self.dns, self.app_port = free_ports(3)
        cfg = {'app': 'portal_app', 'port': self.app_port,
               'wifi_timeout': 2, 'wifi_retries': 1, 'wifi_backoff': 0,
               'stable_after': 0}
        cfg.update(config)
        with open(os.path.join(tmp, 'config.json'), 'w') as f:
            json.dump(cfg, f)
        with open(os.path.join(tmp, 'portal_app.py'), 'w') as f:
            f.write(APP)
        env = dict(os.environ)
        env['MICROPYPATH'] = ':'.join(
            ['.frozen', os.path.join(REPO, 'modules'),
             os.path.join(REPO, 'firmware'), HERE])
        argv = [micropython(), os.path.join(HERE, 'captive_runner.py'),
                tmp, str(self.http), str(self.dns)]
        if improv:
            argv.append('improv')
        self.proc = subprocess.Popen(argv, env=env, cwd=tmp,
                                     stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.wait_port(self.http)

    def wait_port(self, port, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError('the runner ended: %r'
                                     % self.proc.stdout.read())
            try:
                socket.create_connection(('127.0.0.1', port), 0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        raise AssertionError('nothing listens on %d' % port)

    def request(self, method, path, host=AP, body=None, port=None):
        conn = http.client.HTTPConnection('127.0.0.1', port or self.http,
                                          timeout=5)
        headers = {'Host': host}
        if body is not None:
            headers['Content-Type'] = 'application/x-www-form-urlencoded'
        conn.request(method, path, body=body, headers=headers)
        res = conn.getresponse()
        data = res.read()
        conn.close()
        return res.status, dict(res.getheaders()), data

    def status(self):
        return json.loads(self.request('GET', '/status')[2])

    def wait_status(self, want, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = self.status()
            if status['state'] == want:
                return status
            time.sleep(0.1)
        raise AssertionError('state stayed %r' % status)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        out = self.proc.communicate()[0]
        return out.decode('utf-8', 'replace')


@unittest.skipIf(subprocess is None, 'starts the unix port from CPython')
class CaptiveUnixTest(unittest.TestCase):
    def setUp(self):
        if micropython() is None:
            self.skipTest('no .venv/bin/micropython')
        import tempfile
        self.tmp = tempfile.mkdtemp(prefix='kit-captive-')
        self.runner = None

    def tearDown(self):
        if self.runner is not None:
            self.output = self.runner.stop()
        import shutil
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_dns_with_a_real_client(self):
        if dns is None:
            self.skipTest('dnspython is not installed')
        self.runner = Runner(self.tmp)
        q = dns.message.make_query('connectivitycheck.gstatic.com', 'A')
        reply = dns.query.udp(q, '127.0.0.1', port=self.runner.dns,
                              timeout=3)
        self.assertEqual(reply.id, q.id)
        self.assertEqual([r.address for r in reply.answer[0]], [AP])
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = ['127.0.0.1']
        resolver.port = self.runner.dns
        resolver.lifetime = 3
        for name in ('captive.apple.com', 'www.msftconnecttest.com',
                     'anything.example'):
            answer = resolver.resolve(name, 'A')
            self.assertEqual([r.address for r in answer], [AP])
            self.assertLessEqual(answer.rrset.ttl, 60)
        with self.assertRaises(dns.resolver.NoAnswer):
            resolver.resolve('captive.apple.com', 'AAAA')
        q = dns.message.make_query('example.com', 'A', use_edns=0)
        reply = dns.query.udp(q, '127.0.0.1', port=self.runner.dns,
                              timeout=3)
        self.assertEqual(reply.answer[0][0].address, AP)

    def test_connectivity_checks_redirect(self):
        self.runner = Runner(self.tmp)
        for host, path in (('connectivitycheck.gstatic.com', '/generate_204'),
                           ('captive.apple.com', '/hotspot-detect.html'),
                           ('www.msftconnecttest.com', '/connecttest.txt'),
                           ('www.msftncsi.com', '/ncsi.txt'),
                           ('detectportal.firefox.com', '/canonical.html')):
            status, headers, _body = self.runner.request('GET', path, host)
            self.assertEqual(status, 302, host)
            self.assertEqual(headers['Location'], 'http://%s/' % AP)
        status, _h, body = self.runner.request('GET', '/')
        self.assertEqual(status, 200)
        self.assertIn(b'value="home"', body)
        self.assertIn(b'dBm', body)

    def test_form_saves_joins_and_serves_the_app(self):
        self.runner = r = Runner(self.tmp)
        self.assertEqual(r.status()['state'], 'setup')
        # a wrong password: saved, tried, the error on the page
        status, headers, _b = r.request('POST', '/', body='ssid=home'
                                         '&password=nope&hostname=lamp')
        self.assertEqual((status, headers['Location']), (303, '/'))
        with open(os.path.join(self.tmp, 'config.json')) as f:
            self.assertEqual(json.load(f)['password'], 'nope')
        failed = r.wait_status('setup')
        self.assertEqual(failed['last_error'], 'home: wrong password')
        self.assertIn(b'Could not connect: home: wrong password',
                      r.request('GET', '/')[2])
        # the right one: joined, the AP closes, the app starts
        r.request('POST', '/', body='ssid=home&password=secret12'
                  '&hostname=lamp&port=%d' % r.app_port)
        joined = r.wait_status('connected')
        self.assertEqual(joined['ip'], '10.0.0.42')
        self.assertEqual(joined['outcome'], 'joined')
        self.assertIn(b'Connected to <b>home</b>', r.request('GET', '/')[2])
        with open(os.path.join(self.tmp, 'config.json')) as f:
            saved = json.load(f)
        self.assertEqual((saved['ssid'], saved['password'],
                          saved['hostname']), ('home', 'secret12', 'lamp'))
        r.wait_port(r.app_port)
        status, _h, body = r.request('GET', '/', host='10.0.0.42',
                                     port=r.app_port)
        self.assertEqual((status, body), (200, b'the app, limit 3'))
        out = r.stop()
        self.assertIn('Wi-Fi joined, address 10.0.0.42', out)
        self.assertNotIn('Traceback', out)

    def test_connection_limit_closes_the_oldest_idle(self):
        # the board's max_connections (3 in the runner) reaches the server
        self.runner = r = Runner(self.tmp)
        request = ('GET /status HTTP/1.1\r\nHost: %s\r\n\r\n' % AP).encode()
        conns = []
        for _ in range(4):
            s = socket.create_connection(('127.0.0.1', r.http), 5)
            s.sendall(request)
            self.assertTrue(s.recv(4096).startswith(b'HTTP/1.1 200'))
            conns.append(s)  # kept alive, idle
            time.sleep(0.05)
        try:
            conns[0].settimeout(5)
            self.assertEqual(conns[0].recv(100), b'')  # the oldest: closed
            for s in conns[1:]:
                s.sendall(request)
                self.assertTrue(s.recv(4096).startswith(b'HTTP/1.1 200'))
        finally:
            for s in conns:
                s.close()

    def test_saved_network_fails_then_setup(self):
        self.runner = r = Runner(self.tmp, ssid='home', password='old')
        status = r.wait_status('setup')
        self.assertEqual(status['last_error'], 'home: wrong password')
        self.assertEqual(status['saved'], ['home'])
        self.assertEqual(status['ap'], 'Microdot-ABCD')


if __name__ == '__main__':
    unittest.main()
