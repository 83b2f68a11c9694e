"""The Wi-Fi state machine (firmware/kitwifi.py) and the saved-network list
(firmware/kitconfig.py) with fakes of `network` and the clock: networks
tried in order, retries with back-off, the setup access point, the retry
timer, and the connection limit the boot gives the app."""
import asyncio
import unittest

from boot_fakes import kitconfig, kitwifi, BootCase, FakeApp, FakeClock, \
    FakeNetwork, _run


def make_wifi(net, clock, **cfg):
    data = {'wifi_timeout': 2, 'wifi_retries': 2}
    data.update(cfg)
    return kitwifi.Wifi(net, kitconfig.validate_config(data),
                        ticks_ms=clock.ticks_ms, sleep_ms=clock.asleep_ms)


class SavedNetworksTest(unittest.TestCase):
    def test_order_and_duplicates(self):
        cfg = kitconfig.validate_config({
            'ssid': 'home', 'password': 'a1',
            'networks': [{'ssid': 'office', 'password': 'b2'},
                         {'ssid': 'home', 'password': 'old'},
                         {'ssid': 'cafe'}]})
        self.assertEqual(kitconfig.saved_networks(cfg),
                         [('home', 'a1'), ('office', 'b2'), ('cafe', '')])

    def test_remember_puts_first_and_caps(self):
        cfg = kitconfig.validate_config({})
        for name in ('n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n3'):
            cfg = kitconfig.remember_network(cfg, name, 'pw-' + name)
        self.assertEqual([s for s, _p in kitconfig.saved_networks(cfg)],
                         ['n3', 'n6', 'n5', 'n4', 'n2'])
        self.assertEqual(cfg['ssid'], 'n3')
        self.assertEqual(cfg['password'], 'pw-n3')

    def test_bad_networks_rejected(self):
        for bad in ({'networks': 'home'}, {'networks': [{'ssid': ''}]},
                    {'networks': [{'password': 'x'}]},
                    {'networks': [{'ssid': 'x' * 33}]},
                    {'networks': [{'ssid': 'a', 'password': 5}]},
                    {'networks': [{'ssid': str(i)} for i in range(6)]},
                    {'wifi_backoff': -1}, {'max_connections': 0},
                    {'improv': 1}):
            with self.assertRaises(kitconfig.ConfigError):
                kitconfig.validate_config(bad)

    def test_to_save_leaves_defaults_out(self):
        cfg = kitconfig.remember_network(kitconfig.defaults(), 'home', 'pw')
        self.assertEqual(kitconfig.to_save(cfg),
                         {'ssid': 'home', 'password': 'pw'})


class JoinTest(unittest.TestCase):
    def setUp(self):
        self.clock = FakeClock()

    def test_saved_networks_in_order(self):
        net = FakeNetwork(accept=('office', 'b2'),
                          status=FakeNetwork.STAT_NO_AP_FOUND)
        wifi = make_wifi(net, self.clock, ssid='home', password='a1',
                         networks=[{'ssid': 'office', 'password': 'b2'}])
        self.assertEqual(_run(wifi.join_saved()), '10.0.0.42')
        self.assertEqual(net.WLAN(net.STA_IF).connects,
                         [('home', 'a1'), ('home', 'a1'), ('office', 'b2')])
        status = wifi.status()
        self.assertEqual(status['state'], 'connected')
        self.assertEqual(status['ssid'], 'office')
        self.assertEqual(status['ip'], '10.0.0.42')
        self.assertIsNone(status['last_error'])
        self.assertEqual(status['saved'], ['home', 'office'])

    def test_backoff_doubles_up_to_the_cap(self):
        net = FakeNetwork(accept=None, status=FakeNetwork.STAT_CONNECT_FAIL)
        wifi = make_wifi(net, self.clock, ssid='home', wifi_retries=5,
                         wifi_backoff=10)
        self.assertIsNone(_run(wifi.join_saved()))
        # pauses of 10, 20, 30 (capped), 30 s; failures come at once
        self.assertEqual(self.clock.now, 90000)
        self.assertEqual(wifi.failures, 5)
        self.assertEqual(wifi.last_error, 'home: connection failed')
        self.assertEqual(wifi.state, 'idle')
        self.assertFalse(net.WLAN(net.STA_IF).active())

    def test_no_backoff(self):
        net = FakeNetwork(accept=None, status=FakeNetwork.STAT_NO_AP_FOUND)
        wifi = make_wifi(net, self.clock, ssid='home', wifi_retries=3,
                         wifi_backoff=0)
        _run(wifi.join_saved())
        self.assertEqual(self.clock.now, 0)
        self.assertEqual(len(net.WLAN(net.STA_IF).connects), 3)

    def test_wrong_password_skips_to_the_next_network(self):
        net = FakeNetwork(accept=('cafe', ''),
                          status=FakeNetwork.STAT_WRONG_PASSWORD)
        wifi = make_wifi(net, self.clock, ssid='home', password='bad',
                         wifi_retries=3, networks=[{'ssid': 'cafe'}])
        self.assertEqual(_run(wifi.join_saved()), '10.0.0.42')
        self.assertEqual(net.WLAN(net.STA_IF).connects,
                         [('home', 'bad'), ('cafe', '')])

    def test_nothing_saved(self):
        wifi = make_wifi(FakeNetwork(), self.clock)
        self.assertIsNone(_run(wifi.join_saved()))
        self.assertEqual(wifi.last_error, 'no network configured')

    def test_joins_run_one_at_a_time(self):
        net = FakeNetwork(accept=[('a', ''), ('b', '')], polls_needed=5)
        wifi = make_wifi(net, self.clock)

        async def both():
            return await asyncio.gather(wifi.join('a', ''),
                                        wifi.join('b', ''))
        self.assertEqual(_run(both()), ['10.0.0.42', '10.0.0.42'])
        self.assertEqual(net.WLAN(net.STA_IF).connects, [('a', ''),
                                                         ('b', '')])
        self.assertEqual(wifi.ssid, 'b')


class AccessPointTest(unittest.TestCase):
    def setUp(self):
        self.clock = FakeClock()

    def test_open_and_protected(self):
        net = FakeNetwork()
        wifi = make_wifi(net, self.clock)
        self.assertEqual(wifi.start_ap(), ('Microdot-ABCD', '192.168.4.1'))
        ap = net.WLAN(net.AP_IF)
        self.assertTrue(ap.active())
        self.assertEqual(ap.settings['security'], FakeNetwork.AUTH_OPEN)
        self.assertEqual(wifi.state, 'setup')
        wifi = make_wifi(net, self.clock, ap_ssid='Setup',
                         ap_password='longenough')
        self.assertEqual(wifi.start_ap()[0], 'Setup')
        self.assertEqual(ap.settings['password'], 'longenough')
        self.assertEqual(ap.settings['security'], FakeNetwork.AUTH_WPA2_PSK)
        wifi.stop_ap()
        self.assertFalse(ap.active())
        self.assertEqual(wifi.state, 'idle')

    def test_failure_in_setup_keeps_the_ap(self):
        net = FakeNetwork(accept=None, status=FakeNetwork.STAT_NO_AP_FOUND)
        wifi = make_wifi(net, self.clock, ssid='home')
        wifi.start_ap()
        self.assertIsNone(_run(wifi.join_saved()))
        self.assertEqual(wifi.state, 'setup')
        self.assertTrue(net.WLAN(net.AP_IF).active())
        self.assertTrue(net.WLAN(net.STA_IF).active())  # AP+STA stays
        self.assertEqual(wifi.status()['ap'], 'Microdot-ABCD')

    def test_retry_timer(self):
        net = FakeNetwork(accept=('home', 'pw'))
        wifi = make_wifi(net, self.clock, ssid='home', password='pw')
        wifi.start_ap()
        self.assertEqual(_run(wifi.retry_timer(300)), '10.0.0.42')
        self.assertGreaterEqual(self.clock.now, 300000)
        self.assertEqual(wifi.state, 'connected')

    def test_retry_timer_without_saved_networks_waits(self):
        net = FakeNetwork(accept=('home', 'pw'))
        wifi = make_wifi(net, self.clock)
        wifi.start_ap()

        async def bounded():
            try:
                await asyncio.wait_for(wifi.retry_timer(60), 0.05)
            except asyncio.TimeoutError:
                return 'waiting'
        self.assertEqual(_run(bounded()), 'waiting')
        self.assertEqual(net.WLAN(net.STA_IF).connects, [])

    def test_scan(self):
        net = FakeNetwork()
        wifi = make_wifi(net, self.clock)
        self.assertEqual(wifi.scan(), [('home', -40, True),
                                       ('cafe', -60, False),
                                       ('weak', -90, True)])
        net.scan_error = 'scan failed'
        self.assertEqual(wifi.scan(), [])

    def test_signal_bars(self):
        self.assertEqual([kitwifi.signal_bars(r) for r in
                          (-40, -60, -70, -80, -95)], [4, 3, 2, 1, 0])


class SetupRetryTest(BootCase, unittest.TestCase):
    def test_saved_network_back_ends_setup_mode(self):
        try:
            __import__('socket')
        except ImportError:
            self.skipTest('no sockets on this port')
        import kitsetup
        net = FakeNetwork(accept=None, status=FakeNetwork.STAT_NO_AP_FOUND)
        boot = self.boot(net)
        cfg = kitconfig.validate_config({'ssid': 'home', 'password': 'pw',
                                         'wifi_retries': 1})
        wifi = boot.make_wifi(cfg)
        self.assertIsNone(boot.connect_wifi(cfg))
        wifi.start_ap()
        app = kitsetup.create_app(wifi, cfg, [], boot.save_config)

        async def main():
            server = asyncio.create_task(boot.setup_server(
                app, 60, 0, dns_port=0, host='127.0.0.1'))
            for _ in range(50):
                await asyncio.sleep(0)
            self.assertFalse(server.done())  # still failing: still in setup
            net.accept = ('home', 'pw')  # the network is back
            return await asyncio.wait_for(server, 5)
        self.assertEqual(_run(main()), 'joined')
        self.assertGreaterEqual(self.clock.now, 60000)
        self.assertEqual(wifi.state, 'connected')
        self.assertIn('trying the saved networks again', self.log_text())


class ConnectionLimitTest(BootCase, unittest.TestCase):
    def serve(self, board, **cfg):
        app = FakeApp()
        name = self.install_app(app)
        self.write_config(app=name, **cfg)
        self.assertEqual(self.boot(None, board=board).run(), 'done')
        return app

    def test_board_setting_reaches_the_app(self):
        self.assertEqual(self.serve({'max_connections': 4})
                         .max_connections, 4)

    def test_config_overrides_the_board(self):
        self.assertEqual(self.serve({'max_connections': 4},
                                    max_connections=2).max_connections, 2)

    def test_no_setting_no_limit(self):
        self.assertFalse(hasattr(self.serve({}), 'max_connections'))


if __name__ == '__main__':
    unittest.main()
