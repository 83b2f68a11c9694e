"""Safe mode and the user's main.py taking over the boot
(firmware/kitboot.py), in a scratch directory standing in for the
board's filesystem."""
import os
import sys
import unittest

from boot_fakes import kitboot, BootCase, FakeApp, FakeNetwork


class TakeoverAndSafeModeTest(BootCase, unittest.TestCase):
    def test_user_main_takes_over(self):
        self.write('main.py', 'with open(__file__[:-7] + "ran.txt", "w") '
                   'as f:\n    f.write(__name__)\n')
        self.write_config(ssid='home', password='secret12')
        net = FakeNetwork(accept=('home', 'secret12'))
        self.assertEqual(self.boot(net).run(), 'done')
        self.assertEqual(self.read('ran.txt'), '__main__')
        # the boot sequence did not run: no Wi-Fi, no setup
        self.assertEqual(net.interfaces, {})

    def test_user_main_calling_kitboot_does_not_recurse(self):
        app = FakeApp()
        name = self.install_app(app)
        self.write_config(app=name)
        self.write('main.py', 'import kitboot\n'
                   'kitboot.Boot(root=%r, network=None, machine=None, '
                   'log=lambda m: None).run()\n' % self.root)
        self.assertEqual(self.boot(None).run(), 'done')
        self.assertEqual(len(app.calls), 1)

    def test_crashing_user_main_then_safe_mode(self):
        self.write('main.py', 'raise ValueError("boom at boot")\n')
        self.assertEqual(self.boot(None).run(), 'crashed')
        self.assertIn('boom at boot', self.read(kitboot.CRASH_FILE))
        self.assertTrue(self.exists(kitboot.MARKER_FILE))
        # next boot: safe mode skips main.py, and clears the marker
        self.assertEqual(self.boot(None).run(), 'safe')
        self.assertIn('SAFE MODE', self.log_text())
        self.assertFalse(self.exists(kitboot.MARKER_FILE))
        # the boot after tries again
        self.assertEqual(self.boot(None).run(), 'crashed')

    def test_app_crash_at_start_then_safe_mode(self):
        app = FakeApp(error=OSError(98))
        name = self.install_app(app)
        self.write_config(app=name)
        self.assertEqual(self.boot(None).run(), 'crashed')
        self.assertTrue(self.exists(kitboot.MARKER_FILE))
        self.assertIn('OSError', self.read(kitboot.CRASH_FILE))
        app.error = None
        self.assertEqual(self.boot(None).run(), 'safe')
        self.assertEqual(len(app.calls), 1)
        self.assertEqual(self.boot(None).run(), 'done')
        self.assertEqual(len(app.calls), 2)

    def test_app_import_error_is_a_crash(self):
        self.write('broken_app.py', 'import no_such_module_here\n')
        self.app_module = 'broken_app'
        self.write_config(app='broken_app')
        self.assertEqual(self.boot(None).run(), 'crashed')
        self.assertIn('no_such_module_here', self.read(kitboot.CRASH_FILE))

    def test_module_without_app_is_a_crash(self):
        self.write('empty_app.py', 'x = 1\n')
        self.app_module = 'empty_app'
        self.write_config(app='empty_app')
        self.assertEqual(self.boot(None).run(), 'crashed')
        self.assertIn('create_app', self.read(kitboot.CRASH_FILE))

    def test_reset_before_stable_means_safe_mode(self):
        # A boot that never got the app running for stable_after seconds
        # (the board reset or hung) leaves the marker behind.
        boot = self.boot(None)
        boot.mark_starting('app "app"')
        self.assertEqual(self.boot(None).run(), 'safe')
        self.assertIn('app "app" did not start cleanly', self.log_text())

    def test_marker_kept_until_stable(self):
        app = FakeApp()
        name = self.install_app(app)
        self.write_config(app=name, stable_after=3600)
        boot = self.boot(None)
        seen = []

        async def check(host, port, debug):
            seen.append(self.exists(kitboot.MARKER_FILE))
        app.start_server = check
        self.assertEqual(boot.run(), 'done')
        self.assertEqual(seen, [True])
        self.assertFalse(self.exists(kitboot.MARKER_FILE))  # clean exit

    def test_ctrl_c_stops_cleanly(self):
        app = FakeApp(error=KeyboardInterrupt())
        name = self.install_app(app)
        self.write_config(app=name)
        self.assertEqual(self.boot(None).run(), 'stopped')
        self.assertFalse(self.exists(kitboot.MARKER_FILE))
        self.assertFalse(self.exists(kitboot.CRASH_FILE))

    def test_app_folder_becomes_working_directory(self):
        # `make deploy` copies an app folder to /app: the app runs from there
        # (ahead of the frozen demo) and finds its files relative to it.
        os.mkdir(self.root + '/app')
        self.write('app/app.py', 'class Probe:\n'
                   '    seen = None\n'
                   '    async def start_server(self, host, port, debug):\n'
                   '        self.seen = open("data.txt").read()\n'
                   'app = Probe()\n')
        self.write('app/data.txt', 'hello')
        self.write_config(stable_after=0)
        saved = sys.modules.pop('app', None)
        self.app_module = 'app'
        try:
            self.assertEqual(self.boot(None).run(), 'done')
            self.assertEqual(sys.modules['app'].app.seen, 'hello')
        finally:
            app_dir = self.root + '/app'
            if app_dir in sys.path:
                sys.path.remove(app_dir)
            if saved is not None:
                sys.modules['app'] = saved
                self.app_module = None
        self.assertIn('app/app.py', self.log_text())


if __name__ == '__main__':
    unittest.main()
