"""A headless browser for the CPython-only tests that drive a page.

Debian's `chromium` driven by Playwright (its own browser downloads can not
work here, so the system binary is launched). One browser per test file:

    class PageTest(unittest.TestCase):
        @classmethod
        def setUpClass(cls):
            cls.browser = Browser()        # SkipTest with one line if absent

        @classmethod
        def tearDownClass(cls):
            cls.browser.close()

        def test_page(self):
            page = self.browser.new_page()
            page.goto(url)
"""
import os
import shutil
import sys
import unittest

CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic',
                 '--no-first-run', '--disable-background-networking',
                 '--disable-component-update', '--disable-sync']


def chromium_path():
    for name in ('chromium', 'chromium-browser'):
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    """A headless Chromium with one context per :meth:`new_page`."""

    def __init__(self):
        if sys.implementation.name != 'cpython':
            raise unittest.SkipTest('browser tests run on CPython')
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            raise unittest.SkipTest('playwright is not installed')
        path = chromium_path()
        if path is None:
            raise unittest.SkipTest('no chromium (apt-get install chromium)')
        self._pw = sync_playwright().start()
        try:
            # Playwright gives each launch a fresh profile of its own
            self.browser = self._pw.chromium.launch(
                executable_path=path, headless=True, args=CHROMIUM_ARGS)
        except Exception:
            self._pw.stop()
            raise
        self._contexts = []

    def new_page(self, **context_options):
        """A page in a fresh context (its own cookies)."""
        context = self.browser.new_context(**context_options)
        self._contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10000)
        return page

    def close(self):
        for context in self._contexts:
            try:
                context.close()
            except Exception:
                pass
        try:
            self.browser.close()
        finally:
            self._pw.stop()
