"""The setup page in headless Chromium at a phone's viewport, served by the
boot in setup mode on the MicroPython unix port (tests/captive_runner.py):
it fits the screen, lists the networks with their signal, and choosing one
shows the attempt and then the result. CPython only.

    KIT_UPDATE_DOCS=1 .venv/bin/pytest tests/test_captive_browser.py

also writes the screenshots used in docs/firmware.md
(docs/setup-page.png, docs/setup-joined.png)."""
import os
import unittest

try:
    import subprocess
except ImportError:  # MicroPython
    subprocess = None

if subprocess is not None:
    from test_captive_unix import Runner, micropython, REPO

PHONE = {'viewport': {'width': 390, 'height': 760}, 'device_scale_factor': 1,
         'is_mobile': True, 'has_touch': True}


@unittest.skipIf(subprocess is None, 'drives a browser from CPython')
class SetupPageBrowserTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if micropython() is None:
            raise unittest.SkipTest('no .venv/bin/micropython')
        from browser_support import Browser
        try:
            cls.browser = Browser()
        except unittest.SkipTest:
            raise
        except Exception as exc:  # the browser could not start here
            raise unittest.SkipTest('chromium did not start: %s'
                                    % str(exc).splitlines()[0][:120])

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()

    def setUp(self):
        import tempfile
        self.tmp = tempfile.mkdtemp(prefix='kit-browser-')
        self.runner = Runner(self.tmp, wifi_timeout=1)
        self.url = 'http://127.0.0.1:%d/' % self.runner.http

    def tearDown(self):
        self.runner.stop()
        import shutil
        shutil.rmtree(self.tmp, ignore_errors=True)

    def shot(self, page, name):
        path = os.path.join(self.tmp, name)
        if os.environ.get('KIT_UPDATE_DOCS'):
            path = os.path.join(REPO, 'docs', name)
        page.screenshot(path=path, full_page=True)
        self.assertGreater(os.path.getsize(path), 1000)
        self.assertLess(os.path.getsize(path), 100 * 1024)

    def test_phone_picks_a_network(self):
        page = self.browser.new_page(**PHONE)
        page.goto(self.url)
        self.assertEqual(page.title(), 'Device setup')
        width = page.evaluate('document.documentElement.scrollWidth')
        self.assertLessEqual(width, 390)  # no sideways scrolling
        names = page.eval_on_selector_all(
            'input[type=radio]', 'els => els.map(e => e.value)')
        self.assertEqual(names, ['home', 'cafe', 'weak', ''])
        self.assertIn('-40 dBm', page.inner_text('body'))
        page.check('input[value=home]')
        page.fill('input[name=password]', 'secret12')
        self.shot(page, 'setup-page.png')
        page.click('button[type=submit]')
        page.wait_for_selector('text=Connected to', timeout=15000)
        self.assertIn('http://10.0.0.42', page.inner_text('body'))
        self.shot(page, 'setup-joined.png')

    def test_wrong_password_shows_the_error(self):
        page = self.browser.new_page(**PHONE)
        page.goto(self.url)
        page.check('input[value=cafe]')
        page.fill('input[name=other]', 'home')  # selects "Other"
        page.fill('input[name=password]', 'wrong')
        page.click('button[type=submit]')
        page.wait_for_selector('.err', timeout=15000)
        self.assertIn('wrong password', page.inner_text('.err'))
        self.assertTrue(page.is_visible('form'))


if __name__ == '__main__':
    unittest.main()
