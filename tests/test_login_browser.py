"""examples/login in headless Chromium (CPython only): the login form, the
remember-me box and logout work, and a hostile page on another origin is
refused - a cross-site form POST and a fetch() with credentials - with the
Sec-Fetch-Site and Origin headers the browser itself sends.

The example is served by the MicroPython unix port (CPython when it is
missing); the hostile page by CPython's http.server on another port, once
as http://127.0.0.1:<port> (same site, another origin: the browser sends
the SameSite=Lax cookies, so only the CSRF check stands in the way) and
once as http://localhost:<port> (another site).
"""
import os
import sys
import time
import unittest

try:  # CPython only: on MicroPython the tests skip in setUpClass
    import shutil
    import socket
    import subprocess
    import tempfile
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
except ImportError:
    subprocess = None

PASSWORD = 'browser-test-password'

RUNNER = '''
import sys
from app import app


def _log(req, res):
    print('REQ %s %s site=%s origin=%s cookie=%s status=%d' % (
        req.method, req.path, req.headers.get('Sec-Fetch-Site'),
        req.headers.get('Origin'),
        'yes' if 'session=' in (req.headers.get('Cookie') or '') else 'no',
        res.status_code))


@app.after_request
async def log_ok(req, res):
    _log(req, res)


@app.after_error_request
async def log_error(req, res):
    _log(req, res)


app.run(host='127.0.0.1', port=int(sys.argv[1]))
'''

EVIL = '''<!doctype html><html><body><h1>You won!</h1>
<form id="f" method="post" action="%(app)s/relay">
<input type="hidden" name="state" value="off">
<button id="win">Claim your prize</button></form>
<script>
async function readState() {
  try {
    const r = await fetch('%(app)s/api/state', {credentials: 'include'});
    return 'read:' + await r.text();
  } catch (e) { return 'blocked:' + e.name; }
}
async function postRelay() {
  try {
    const r = await fetch('%(app)s/relay', {method: 'POST',
      credentials: 'include', mode: 'no-cors',
      body: new URLSearchParams('state=off')});
    return 'sent:' + r.type;
  } catch (e) { return 'blocked:' + e.name; }
}
</script></body></html>'''


class _PlainBrowser:
    """browser_support.Browser's interface, launched without a profile
    directory (see setUpClass)."""

    def __init__(self):
        from browser_support import CHROMIUM_ARGS, chromium_path
        from playwright.sync_api import sync_playwright
        self._pw = sync_playwright().start()
        try:
            self.browser = self._pw.chromium.launch(
                executable_path=chromium_path(), headless=True,
                args=CHROMIUM_ARGS)
        except Exception:
            self._pw.stop()
            raise

    def new_page(self, **context_options):
        page = self.browser.new_context(**context_options).new_page()
        page.set_default_timeout(10000)
        return page

    def close(self):
        try:
            self.browser.close()
        finally:
            self._pw.stop()


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port, proc, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError('the example exited: %s' % proc.returncode)
        try:
            socket.create_connection(('127.0.0.1', port), 0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError('the example did not listen on %d' % port)


@unittest.skipIf(subprocess is None, 'browser tests run on CPython')
class LoginBrowserTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        from browser_support import Browser
        try:
            cls.browser = Browser()
        except unittest.SkipTest:
            raise
        except Exception as exc:
            # Playwright 1.65 refuses the --user-data-dir argument that
            # browser_support passes: launch the same Chromium without it
            if 'user_data_dir' not in str(exc):
                raise
            cls.browser = _PlainBrowser()
        cls.tmp = tempfile.mkdtemp(prefix='kit-login-')
        try:
            cls._start()
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def _start(cls):
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        example = os.path.join(root, 'examples', 'login')
        micropython = os.path.join(root, '.venv', 'bin', 'micropython')
        with open(os.path.join(cls.tmp, 'runner.py'), 'w') as f:
            f.write(RUNNER)
        cls.port = free_port()
        cls.app_url = 'http://127.0.0.1:%d' % cls.port
        env = dict(os.environ, LOGIN_PASSWORD=PASSWORD)
        if os.path.exists(micropython):
            env['MICROPYPATH'] = ':'.join([
                '.frozen', os.path.join(root, 'modules'), example,
                os.path.join(root, 'tests', 'lib', 'mplib')])
            cmd = [micropython, 'runner.py', str(cls.port)]
            cls.runtime = 'MicroPython'
        else:
            env['PYTHONPATH'] = os.pathsep.join([
                os.path.join(root, 'modules'), example])
            cmd = [sys.executable, '-u', 'runner.py', str(cls.port)]
            cls.runtime = 'CPython'
        cls.log = []
        cls.proc = subprocess.Popen(cmd, cwd=cls.tmp, env=env,
                                    stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=cls._read_log, daemon=True).start()
        wait_port(cls.port, cls.proc)
        cls.evil_port = free_port()
        page = (EVIL % {'app': cls.app_url}).encode()

        class Evil(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                self.send_response(200)
                self.send_header('Content-Type', 'text/html')
                self.send_header('Content-Length', str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args):
                pass

        cls.evil = ThreadingHTTPServer(('127.0.0.1', cls.evil_port), Evil)
        threading.Thread(target=cls.evil.serve_forever, daemon=True).start()

    @classmethod
    def _read_log(cls):
        for line in cls.proc.stdout:
            cls.log.append(line.rstrip())

    @classmethod
    def tearDownClass(cls):
        evil = getattr(cls, 'evil', None)
        if evil is not None:
            evil.shutdown()
            evil.server_close()
        proc = getattr(cls, 'proc', None)
        if proc is not None:
            proc.kill()
            proc.wait()
        cls.browser.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def logged(self, method, path, since=0):
        """Server log lines for ``method path`` after index ``since``."""
        prefix = 'REQ %s %s ' % (method, path)
        deadline = time.time() + 5
        while True:
            lines = [line for line in self.log[since:]
                     if line.startswith(prefix)]
            if lines or time.time() > deadline:
                self.assertTrue(lines, 'no %s%s in the server log: %r' % (
                    prefix, since, self.log[since:]))
                return lines
            time.sleep(0.05)

    def log_in(self, page, remember=True):
        page.goto(self.app_url + '/dashboard')
        self.assertTrue(page.url.endswith('/login?next=%2Fdashboard'),
                        page.url)
        page.fill('#username', 'admin')
        page.fill('#password', PASSWORD)
        if remember:
            page.check('#remember')
        page.click('#submit')
        page.wait_for_url(self.app_url + '/dashboard')
        self.assertEqual(page.text_content('#user'), 'admin')

    def relay_state(self, page):
        page.goto(self.app_url + '/dashboard')
        return page.text_content('#state')

    def test_1_login_remember_logout(self):
        page = self.browser.new_page()
        page.goto(self.app_url + '/login')
        page.fill('#username', 'admin')
        page.fill('#password', 'wrong')
        page.click('#submit')
        page.wait_for_selector('#error')
        self.log_in(page)
        cookies = dict((c['name'], c) for c in page.context.cookies())
        for name in ('session', '_remember'):
            self.assertTrue(cookies[name]['httpOnly'], name)
            self.assertEqual(cookies[name]['sameSite'], 'Lax')
        self.assertTrue(cookies['_remember']['expires'] >
                        time.time() + 29 * 86400)
        # the relay switches from the dashboard (a same-origin POST)
        mark = len(self.log)
        before = page.text_content('#state')
        page.click('#toggle')
        page.wait_for_url(self.app_url + '/dashboard')
        self.assertNotEqual(page.text_content('#state'), before)
        self.assertIn('site=same-origin', self.logged('POST', '/relay',
                                                      mark)[0])
        # the remember-me cookie alone logs a new browser session in
        other = self.browser.new_page()
        other.context.add_cookies([cookies['_remember']])
        other.goto(self.app_url + '/dashboard')
        self.assertEqual(other.text_content('#user'), 'admin')
        # logout: back to the login page, and the old copy is refused
        page.click('#logout')
        page.wait_for_url(self.app_url + '/login')
        page.goto(self.app_url + '/dashboard')
        self.assertIn('/login?next=', page.url)
        thief = self.browser.new_page()
        thief.context.add_cookies([cookies['_remember']])
        thief.goto(self.app_url + '/dashboard')
        self.assertIn('/login?next=', thief.url)

    def attack(self, evil_host, expected_site):
        page = self.browser.new_page()
        self.log_in(page)
        state = self.relay_state(page)
        if state != 'on':
            page.click('#toggle')
            page.wait_for_url(self.app_url + '/dashboard')
        self.assertEqual(page.text_content('#state'), 'on')
        evil_origin = 'http://%s:%d' % (evil_host, self.evil_port)
        page.goto(evil_origin + '/')
        # 1. a cross-site form POST
        mark = len(self.log)
        with page.expect_navigation() as nav:
            page.click('#win')
        self.assertEqual(nav.value.status, 403)
        line = self.logged('POST', '/relay', mark)[0]
        self.assertIn('site=%s origin=%s' % (expected_site, evil_origin),
                      line)
        self.assertIn('status=403', line)
        # 2. fetch() with credentials: reading is refused by the browser
        # (no CORS headers), a POST is refused by the CSRF check
        page.goto(evil_origin + '/')
        mark = len(self.log)
        self.assertEqual(page.evaluate('readState()'), 'blocked:TypeError')
        line = self.logged('GET', '/api/state', mark)[0]
        self.assertIn('site=%s origin=%s' % (expected_site, evil_origin),
                      line)
        mark = len(self.log)
        self.assertEqual(page.evaluate('postRelay()'), 'sent:opaque')
        line = self.logged('POST', '/relay', mark)[0]
        self.assertIn('site=%s origin=%s' % (expected_site, evil_origin),
                      line)
        self.assertIn('status=403', line)
        self.assertEqual(self.relay_state(page), 'on')
        return line

    def test_2_same_site_attacks_refused(self):
        line = self.attack('127.0.0.1', 'same-site')
        # same site: the browser did send the session cookie
        self.assertIn('cookie=yes', line)

    def test_3_cross_site_attacks_refused(self):
        self.attack('localhost', 'cross-site')


if __name__ == '__main__':
    unittest.main()
