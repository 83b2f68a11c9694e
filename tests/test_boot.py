"""The firmware's boot code (firmware/kitboot.py, kitconfig.py):
config.json validation, loading and saving, and joining Wi-Fi at boot, with
a fake `network` module (see boot_fakes.py). The Wi-Fi state machine:
test_wifi.py. The boot sequence itself: test_boot_sequence.py, safe
mode and main.py takeover: test_boot_safemode.py."""
import json
import unittest

from boot_fakes import kitboot, BootCase, FakeNetwork


class ConfigTest(BootCase, unittest.TestCase):
    def test_defaults(self):
        cfg = kitboot.validate_config({})
        self.assertEqual(cfg['ssid'], '')
        self.assertEqual(cfg['hostname'], 'microdot')
        self.assertIsNone(cfg['port'])
        self.assertEqual(cfg['app'], 'app')
        self.assertEqual(cfg['wifi_retries'], 3)

    def test_values_and_unknown_keys_kept(self):
        cfg = kitboot.validate_config({'ssid': 'home', 'password': 'pw',
                                       'port': 8080, 'greeting': 'hi'})
        self.assertEqual(cfg['port'], 8080)
        self.assertEqual(cfg['greeting'], 'hi')

    def test_rejects_bad_values(self):
        bad = [[], 'text', {'port': 0}, {'port': 70000}, {'port': '80'},
               {'port': True}, {'ssid': 5}, {'ssid': 'x' * 33},
               {'hostname': 'bad host'}, {'hostname': '-x'},
               {'wifi_timeout': 0}, {'wifi_retries': -1},
               {'ap_password': 'short'}, {'app': '1app'}, {'app': 'a..b'},
               {'debug': 'yes'}, {'country': 'GBR'}]
        for data in bad:
            with self.assertRaises(kitboot.ConfigError):
                kitboot.validate_config(data)

    def test_error_names_the_key(self):
        try:
            kitboot.validate_config({'port': 'eighty'})
        except kitboot.ConfigError as exc:
            self.assertIn('port', str(exc))
        else:
            self.fail('ConfigError not raised')

    def test_load_missing(self):
        self.assertIsNone(self.boot().load_config())
        self.assertIn('no config.json', self.log_text())

    def test_load_invalid_json(self):
        self.write('config.json', '{"ssid": ')
        self.assertIsNone(self.boot().load_config())
        self.assertIn('not usable', self.log_text())

    def test_load_invalid_value(self):
        self.write_config(ssid='home', port=-1)
        self.assertIsNone(self.boot().load_config())
        self.assertIn('port', self.log_text())

    def test_save_and_load(self):
        boot = self.boot()
        cfg = kitboot.validate_config({'ssid': 'home', 'password': 'secret1',
                                       'note': 'kept'})
        self.assertTrue(boot.save_config(cfg))
        saved = json.loads(self.read('config.json'))
        # Only what differs from the defaults is written.
        self.assertEqual(saved, {'ssid': 'home', 'password': 'secret1',
                                 'note': 'kept'})
        self.assertEqual(boot.load_config()['ssid'], 'home')
        self.assertFalse(self.exists('config.json.tmp'))

    def test_save_rejects_invalid(self):
        with self.assertRaises(kitboot.ConfigError):
            self.boot().save_config({'port': 'x'})
        self.assertFalse(self.exists('config.json'))


class WifiTest(BootCase, unittest.TestCase):
    def cfg(self, **kw):
        data = {'ssid': 'home', 'password': 'secret12', 'hostname': 'dev1'}
        data.update(kw)
        return kitboot.validate_config(data)

    def test_joins(self):
        net = FakeNetwork(accept=('home', 'secret12'), polls_needed=3)
        ip = self.boot(net).connect_wifi(self.cfg())
        self.assertEqual(ip, '10.0.0.42')
        self.assertEqual(net.hostnames, ['dev1'])
        sta = net.WLAN(net.STA_IF)
        self.assertTrue(sta.active())
        self.assertEqual(sta.connects, [('home', 'secret12')])

    def test_timeout_then_retries(self):
        net = FakeNetwork(accept=None)
        boot = self.boot(net)
        self.assertIsNone(boot.connect_wifi(self.cfg(wifi_timeout=2,
                                                     wifi_retries=3)))
        self.assertEqual(len(net.WLAN(net.STA_IF).connects), 3)
        self.assertFalse(net.WLAN(net.STA_IF).active())
        # three attempts of 2 s, plus 1 s and 2 s of back-off between them
        self.assertGreaterEqual(self.clock.now, 9000)
        self.assertLess(self.clock.now, 10000)
        self.assertIn('timed out after 2 s', self.log_text())

    def test_wrong_password_stops_retrying(self):
        net = FakeNetwork(accept=('home', 'other'),
                          status=FakeNetwork.STAT_WRONG_PASSWORD)
        self.assertIsNone(self.boot(net).connect_wifi(self.cfg()))
        self.assertEqual(len(net.WLAN(net.STA_IF).connects), 1)
        self.assertIn('wrong password', self.log_text())

    def test_no_ap_found_is_retried(self):
        net = FakeNetwork(accept=None, status=FakeNetwork.STAT_NO_AP_FOUND)
        self.assertIsNone(self.boot(net).connect_wifi(self.cfg(
            wifi_retries=2)))
        self.assertEqual(len(net.WLAN(net.STA_IF).connects), 2)
        self.assertIn('network not found', self.log_text())

    def test_driver_error_is_a_failed_attempt(self):
        net = FakeNetwork(accept=('home', 'secret12'))
        net.connect_error = 'Wifi Internal Error'
        self.assertIsNone(self.boot(net).connect_wifi(self.cfg(
            wifi_retries=2)))
        self.assertIn('Wifi Internal Error', self.log_text())


if __name__ == '__main__':
    unittest.main()
