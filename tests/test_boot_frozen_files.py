"""An app frozen into the image with its files (make BOARD=... APP=...):
kitfiles serves the generated kitapp_files as a read-only filesystem, so
send_file() and open() work with nothing on the board's filesystem."""
import os
import sys
import unittest

from boot_fakes import kitboot  # noqa: F401 (puts firmware/ on sys.path)
import kitfiles
from microdot import Microdot, send_file
from support import call

FILES = {'static/style.css': b'body { color: red }',
         'static/img/dot.png': b'\x89PNG...',
         'index.html': b'<h1>frozen</h1>'}


class FrozenFSTest(unittest.TestCase):
    def setUp(self):
        self.fs = kitfiles.FrozenFS(FILES)

    def test_stat_and_listing(self):
        self.assertEqual(self.fs.stat('/static/style.css')[6], 19)
        self.assertEqual(self.fs.stat('static')[0], 0x4000)
        self.assertEqual(sorted(e[0] for e in self.fs.ilistdir('/')),
                         ['index.html', 'static'])
        self.assertEqual(sorted(e[0] for e in self.fs.ilistdir('static')),
                         ['img', 'style.css'])
        with self.assertRaises(OSError):
            self.fs.stat('missing.txt')

    def test_read_only(self):
        self.assertEqual(self.fs.open('index.html', 'rb').read(),
                         b'<h1>frozen</h1>')
        for mode in ('wb', 'ab', 'r+'):
            with self.assertRaises(OSError):
                self.fs.open('index.html', mode)
        with self.assertRaises(OSError):
            self.fs.remove('index.html')

    def test_relative_paths_follow_chdir(self):
        self.fs.chdir('static')
        self.assertEqual(self.fs.stat('style.css')[6], 19)
        with self.assertRaises(OSError):
            self.fs.chdir('nowhere')


@unittest.skipUnless(hasattr(os, 'mount'), 'needs os.mount (MicroPython)')
class MountedTest(unittest.TestCase):
    def setUp(self):
        # the lazily imported parts first: the suite's sys.path may hold
        # folders relative to the working directory, which changes here
        import microdot.errors  # noqa: F401
        import microdot.streaming  # noqa: F401
        import microdot.routing_compile  # noqa: F401
        import microdot.routing_regex  # noqa: F401
        import microdot.reasons  # noqa: F401
        import microdot.app_extras  # noqa: F401
        import microdot.connection_extras  # noqa: F401
        import microdot.cookies  # noqa: F401
        self.cwd = os.getcwd()
        self.where = kitfiles.mount(FILES, '/kit_test_frozen')
        os.chdir(self.where)

    def tearDown(self):
        os.chdir(self.cwd)
        os.umount(self.where)

    def test_send_file_from_the_image(self):
        app = Microdot()

        @app.get('/static/<path:p>')
        async def static(req, p):
            return send_file('static/' + p)

        res = call(app, 'GET', '/static/style.css')
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.body, b'body { color: red }')
        self.assertEqual(res.headers['Content-Type'], 'text/css')
        self.assertEqual(call(app, 'GET', '/static/nope.css').status_code,
                         404)

    def test_boot_mounts_kitapp_files(self):
        class Files:
            pass
        Files.FILES = FILES
        saved = sys.modules.get('kitapp_files')
        sys.modules['kitapp_files'] = Files
        os.chdir(self.cwd)
        try:
            boot = kitboot.Boot(root=self.cwd)
            boot.log = lambda msg: None
            self.assertIsNone(boot.app_elsewhere('no_such_app_module'))
            self.assertEqual(os.getcwd(), '/app_frozen')
            self.assertEqual(open('index.html', 'rb').read(),
                             b'<h1>frozen</h1>')
        finally:
            os.chdir(self.cwd)
            try:
                os.umount('/app_frozen')
            except OSError:
                pass
            if saved is None:
                del sys.modules['kitapp_files']
            else:
                sys.modules['kitapp_files'] = saved


if __name__ == '__main__':
    unittest.main()
