"""The boot sequence (firmware/kitboot.py, kitsetup.py) with a fake
`network` module: app served on Wi-Fi, setup mode without config or when
Wi-Fi fails, a network chosen on the page saved, joined and the app
served, the setup server on a real socket, the setup page itself."""
import asyncio
import json
import unittest

from boot_fakes import kitboot, kitsetup, kitwifi, BootCase, FakeApp, \
    FakeNetwork, SCRATCH, _run, settle


class BootSequenceTest(BootCase, unittest.TestCase):
    def test_config_present_serves_app_on_wifi(self):
        app = FakeApp()
        name = self.install_app(app)
        self.write_config(ssid='home', password='secret12', app=name,
                          stable_after=0)
        net = FakeNetwork(accept=('home', 'secret12'))
        self.assertEqual(self.boot(net).run(), 'done')
        self.assertEqual(app.calls, [('0.0.0.0', 80, False)])
        self.assertFalse(self.exists(kitboot.MARKER_FILE))
        self.assertIn('http://10.0.0.42:80/', self.log_text())

    def test_port_and_debug_from_config(self):
        app = FakeApp()
        name = self.install_app(app)
        self.write_config(ssid='home', password='secret12', app=name,
                          port=8080, debug=True)
        net = FakeNetwork(accept=('home', 'secret12'))
        self.assertEqual(self.boot(net).run(), 'done')
        self.assertEqual(app.calls, [('0.0.0.0', 8080, True)])

    def test_without_wifi_hardware_serves_on_5000(self):
        # the unix port: no network.WLAN, no config, no Wi-Fi step
        app = FakeApp()
        name = self.install_app(app)
        self.write_config(app=name)
        self.assertEqual(self.boot(None).run(), 'done')
        self.assertEqual(app.calls, [('0.0.0.0', 5000, False)])

    def test_config_missing_serves_setup_page(self):
        net = FakeNetwork(accept=('home', 'secret12'))
        boot = self.boot(net)
        self.assertEqual(boot.run(), 'not served')
        self.assertEqual(net.WLAN(net.STA_IF).connects, [])
        self.assertTrue(net.WLAN(net.AP_IF).active())
        self.assertEqual(boot.wifi.state, 'setup')
        self.assertIn('http://192.168.4.1/', self.log_text())

        async def visit(client):
            return await client.get('/')
        boot = self.boot(net)
        boot.setup_script = visit
        boot.run()
        res = boot.setup_result
        self.assertEqual(res.status_code, 200)
        self.assertIn('<form', res.text)
        self.assertIn('value="home"', res.text)
        self.assertIn('-40 dBm', res.text)

    def test_setup_saves_joins_then_serves_the_app(self):
        app = FakeApp()
        name = self.install_app(app)
        self.write_config(app=name)
        net = FakeNetwork(accept=('my net', 'p&ss word'))

        async def submit(client):
            res = await client.post(
                '/', headers={'Content-Type':
                              'application/x-www-form-urlencoded'},
                body=b'ssid=&other=my+net&password=p%26ss+word'
                     b'&hostname=kitchen&port=8080')
            # saved before the AP closes, then tried
            saved = json.loads(self.read('config.json'))
            await settle(boot.wifi)
            return res, saved, await client.get('/'), \
                await client.get('/status')
        boot = self.boot(net, board={'max_connections': 4})
        boot.setup_script = submit
        self.assertEqual(boot.run(), 'done')
        res, saved, page, status = boot.setup_result
        self.assertEqual((res.status_code, res.headers['Location']),
                         (303, '/'))
        self.assertEqual(saved['ssid'], 'my net')
        self.assertEqual(saved['password'], 'p&ss word')
        self.assertEqual(saved['hostname'], 'kitchen')
        self.assertEqual(saved['port'], 8080)
        self.assertIn('Connected to <b>my net</b>', page.text)
        self.assertIn('http://10.0.0.42:8080/', page.text)
        self.assertEqual(status.json['state'], 'connected')
        self.assertEqual(status.json['outcome'], 'joined')
        # the AP closed and the app runs on the new network, no reboot
        self.assertFalse(net.WLAN(net.AP_IF).active())
        self.assertEqual(app.calls, [('0.0.0.0', 8080, False)])
        self.assertEqual(app.max_connections, 4)
        self.assertEqual(self.machine.resets, 0)
        # the app can show the same state on a route of its own
        self.assertEqual(kitwifi.current.status()['state'], 'connected')

    def test_setup_failure_shows_the_error(self):
        net = FakeNetwork(accept=('home', 'secret12'),
                          status=FakeNetwork.STAT_WRONG_PASSWORD)
        form = {'Content-Type': 'application/x-www-form-urlencoded'}

        async def submit(client):
            await client.post('/', headers=form,
                              body=b'ssid=home&password=nope')
            await settle(boot.wifi)
            return await client.get('/'), await client.get('/status')
        boot = self.boot(net)
        boot.setup_script = submit
        self.assertEqual(boot.run(), 'done')
        page, status = boot.setup_result
        self.assertIn('Could not connect: home: wrong password', page.text)
        self.assertIn('<form', page.text)
        self.assertEqual(status.json['state'], 'setup')
        self.assertEqual(status.json['last_error'], 'home: wrong password')
        self.assertTrue(net.WLAN(net.AP_IF).active())  # still in setup
        # saved all the same: the next boot tries it again
        self.assertEqual(json.loads(self.read('config.json'))['ssid'],
                         'home')

    def test_setup_rejects_bad_input(self):
        net = FakeNetwork()
        form = {'Content-Type': 'application/x-www-form-urlencoded'}

        async def submit(client):
            results = []
            for body in (b'ssid=&password=x', b'ssid=a&port=http',
                         b'ssid=a&port=99999', b'ssid=a&hostname=no+way',
                         b'ssid=' + b'x' * 33):
                results.append(await client.post('/', headers=form,
                                                 body=body))
            results.append(await client.post('/', json={'ssid': 'a'}))
            results.append(await client.get('/generate_204'))
            return results
        boot = self.boot(net)
        boot.setup_script = submit
        self.assertEqual(boot.run(), 'done')
        codes = [r.status_code for r in boot.setup_result]
        self.assertEqual(codes, [400, 400, 400, 400, 400, 400, 302])
        self.assertIn('Choose a network', boot.setup_result[0].text)
        self.assertIn('port', boot.setup_result[1].text)
        self.assertIn('32 bytes', boot.setup_result[4].text)
        self.assertFalse(self.exists('config.json'))
        self.assertEqual(net.WLAN(net.STA_IF).connects, [])

    def test_wifi_failure_falls_back_to_setup(self):
        self.write_config(ssid='home', password='wrongpass',
                          setup_timeout=120, wifi_retries=1)
        net = FakeNetwork(accept=('home', 'secret12'), polls_needed=0,
                          status=FakeNetwork.STAT_WRONG_PASSWORD)
        boot = self.boot(net)
        self.assertEqual(boot.run(), 'not served')
        self.assertEqual(boot.setup_timeout, 120)
        self.assertTrue(net.WLAN(net.AP_IF).active())
        self.assertEqual(boot.wifi.last_error, 'home: wrong password')

    def test_invalid_config_goes_to_setup(self):
        self.write('config.json', '[1, 2]')
        net = FakeNetwork(accept=('home', 'secret12'))
        boot = self.boot(net)
        self.assertEqual(boot.run(), 'not served')
        self.assertEqual(net.WLAN(net.STA_IF).connects, [])
        self.assertIn('JSON object', self.log_text())


class SetupServerTest(BootCase, unittest.TestCase):
    """Setup mode on real sockets: the form joins a network, which ends
    the server (and the DNS server with it)."""

    def test_save_over_http_ends_the_server(self):
        try:
            __import__('socket')  # ports without a network skip
        except ImportError:
            self.skipTest('no sockets on this port')
        boot = self.boot(FakeNetwork(accept=('home', 'secret12')))
        cfg = boot.defaults()
        wifi = boot.make_wifi(cfg)
        wifi.start_ap()
        app = kitsetup.create_app(wifi, cfg, ['home'], boot.save_config,
                                  linger=0)
        body = b'ssid=home&password=secret12'
        request = (b"POST / HTTP/1.1\r\nHost: 192.168.4.1\r\nContent-Type: "
                   b'application/x-www-form-urlencoded\r\nContent-Length: '
                   + str(len(body)).encode() + b'\r\nConnection: close'
                   b'\r\n\r\n' + body)
        port = 8000 + (len(SCRATCH) * 97 + int(SCRATCH[-6:], 16)) % 2000

        async def client():
            for _ in range(50):
                try:
                    reader, writer = await asyncio.open_connection(
                        '127.0.0.1', port)
                    break
                except OSError:
                    await asyncio.sleep(0.05)
            else:
                raise OSError('setup server did not start')
            writer.write(request)
            await writer.drain()
            data = b''
            while True:
                chunk = await reader.read(512)
                if not chunk:
                    break
                data += chunk
            writer.close()
            return data

        async def main():
            server = asyncio.create_task(boot.setup_server(
                app, 0, port, dns_port=port + 1, host='127.0.0.1'))
            data = await asyncio.wait_for(client(), 5)
            outcome = await asyncio.wait_for(server, 5)  # ended by the join
            return data, outcome
        data, outcome = _run(main())
        self.assertTrue(data.startswith(b'HTTP/1.1 303'), data[:80])
        self.assertEqual(outcome, 'joined')
        self.assertEqual(wifi.ip, '10.0.0.42')
        self.assertEqual(json.loads(self.read('config.json'))['ssid'], 'home')


class SetupPageTest(unittest.TestCase):
    def test_escape(self):
        self.assertEqual(kitsetup.escape('<a href="x">&\''),
                         '&lt;a href=&quot;x&quot;&gt;&amp;&#39;')

    def test_form_escapes_values(self):
        page = kitsetup.form_page({'ssid': '"><script>'}, ['<evil>'])
        self.assertNotIn('<script>', page)
        self.assertNotIn('<evil>', page)
        self.assertIn('&lt;evil&gt;', page)

    def test_parse_fields(self):
        cfg = kitboot.validate_config({'port': 81, 'extra': 1})
        new = kitsetup.parse_fields({'ssid': ' net ', 'password': 'pw'}, cfg)
        self.assertEqual(new['ssid'], 'net')
        self.assertEqual(new['password'], 'pw')
        self.assertEqual(new['port'], 81)
        self.assertEqual(new['extra'], 1)
        with self.assertRaises(kitboot.ConfigError):
            kitsetup.parse_fields({'ssid': ''}, cfg)


if __name__ == '__main__':
    unittest.main()
