"""Headless Chromium submits examples/dashboard's upload form to the app
served by MicroPython (CPython only; skips without Playwright/Chromium)."""
import sys
import unittest

from multipart_support import pattern
from support import make_temp_dir, remove_tree


@unittest.skipIf(sys.implementation.name != 'cpython',
                 'browser tests run on CPython')
class DashboardBrowserTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        from browser_support import Browser
        from dashboard_server import DashboardServer
        try:
            cls.browser = Browser()
        except unittest.SkipTest:
            raise
        except Exception as exc:  # a launcher that does not fit Playwright
            raise unittest.SkipTest('chromium did not launch: %s'
                                    % str(exc).splitlines()[0][:120])
        cls.dir = make_temp_dir('dash_browser')
        try:
            cls.srv = DashboardServer(cls.dir + '/uploads')
        except BaseException:
            cls.browser.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()
        cls.browser.close()
        remove_tree(cls.dir)

    def test_form_upload(self):
        data = pattern(200 * 1024)
        path = self.dir + '/photo.jpg'
        with open(path, 'wb') as f:
            f.write(data)
        page = self.browser.new_page()
        page.goto(self.srv.url('/'))
        self.assertIn('No files uploaded yet', page.inner_text('#files'))
        self.assertIn('temperature', page.inner_text('#sensors'))
        page.set_input_files('#file', path)
        page.click('#upload button[type=submit]')
        page.wait_for_url('**/?uploaded=photo.jpg')
        self.assertEqual(page.inner_text('#message'), 'Uploaded photo.jpg')
        self.assertIn('photo.jpg (204800 bytes)', page.inner_text('#files'))
        with open(self.dir + '/uploads/photo.jpg', 'rb') as f:
            self.assertEqual(f.read(), data)
        # the link downloads the same bytes
        res = page.request.get(self.srv.url('/files/photo.jpg'))
        self.assertEqual(res.body(), data)

    def test_submit_without_a_file(self):
        page = self.browser.new_page()
        page.goto(self.srv.url('/'))
        page.click('#upload button[type=submit]')
        page.wait_for_load_state()
        self.assertIn('No file chosen', page.content())


if __name__ == '__main__':
    unittest.main()
