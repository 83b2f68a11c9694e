"""The boot sequence (firmware/kitboot.py, kitsetup.py) with a fake
`network` module: app served on Wi-Fi, setup page without config or when
Wi-Fi fails, the setup server on a real socket, the setup page itself."""
import asyncio
import json
import unittest

from boot_fakes import kitboot, kitsetup, BootCase, FakeApp, FakeNetwork, \
    SCRATCH, _run


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
        self.assertEqual(boot.setup_timeout, 0)  # nothing to go back to
        self.assertIn('http://192.168.4.1/', self.log_text())

        async def visit(client):
            return await client.get('/')
        boot = self.boot(net)
        boot.setup_script = visit
        boot.run()
        res = boot.setup_result
        self.assertEqual(res.status_code, 200)
        self.assertIn('<form', res.text)
        self.assertIn('<option value="home">', res.text)

    def test_setup_saves_credentials_and_reboots(self):
        net = FakeNetwork()

        async def submit(client):
            return await client.post(
                '/', headers={'Content-Type':
                              'application/x-www-form-urlencoded'},
                body=b'ssid=my+net&password=p%26ss+word&hostname=kitchen'
                     b'&port=8080')
        boot = self.boot(net)
        boot.setup_script = submit
        self.assertEqual(boot.run(), 'saved')
        self.assertEqual(boot.setup_result.status_code, 200)
        self.assertIn('my net', boot.setup_result.text)
        self.assertEqual(self.machine.resets, 1)
        saved = json.loads(self.read('config.json'))
        self.assertEqual(saved['ssid'], 'my net')
        self.assertEqual(saved['password'], 'p&ss word')
        self.assertEqual(saved['hostname'], 'kitchen')
        self.assertEqual(saved['port'], 8080)

    def test_setup_rejects_bad_input(self):
        net = FakeNetwork()
        form = {'Content-Type': 'application/x-www-form-urlencoded'}

        async def submit(client):
            results = []
            for body in (b'ssid=&password=x', b'ssid=a&port=http',
                         b'ssid=a&port=99999', b'ssid=a&hostname=no+way'):
                results.append(await client.post('/', headers=form,
                                                 body=body))
            results.append(await client.post('/', json={'ssid': 'a'}))
            results.append(await client.get('/generate_204'))
            return results
        boot = self.boot(net)
        boot.setup_script = submit
        self.assertEqual(boot.run(), 'done')
        codes = [r.status_code for r in boot.setup_result]
        self.assertEqual(codes, [400, 400, 400, 400, 400, 302])
        self.assertIn('SSID', boot.setup_result[0].text)
        self.assertIn('port', boot.setup_result[1].text)
        self.assertFalse(self.exists('config.json'))
        self.assertEqual(self.machine.resets, 0)

    def test_wifi_failure_falls_back_to_setup_with_timeout(self):
        self.write_config(ssid='home', password='wrongpass',
                          setup_timeout=120, wifi_retries=1)
        net = FakeNetwork(accept=('home', 'secret12'), polls_needed=0,
                          status=FakeNetwork.STAT_WRONG_PASSWORD)
        boot = self.boot(net)
        self.assertEqual(boot.run(), 'not served')
        self.assertEqual(boot.setup_timeout, 120)
        self.assertTrue(net.WLAN(net.AP_IF).active())

    def test_invalid_config_goes_to_setup(self):
        self.write('config.json', '[1, 2]')
        net = FakeNetwork(accept=('home', 'secret12'))
        boot = self.boot(net)
        self.assertEqual(boot.run(), 'not served')
        self.assertEqual(boot.setup_timeout, 0)
        self.assertIn('JSON object', self.log_text())

    def test_setup_timeout_restarts(self):
        # the real serve_setup, with an app that ends by timing out
        class TimedOutApp:
            kit_outcome = None

            async def start_server(self, host, port):
                await asyncio.sleep(0.05)

            def shutdown(self):
                pass
        app = TimedOutApp()
        boot = self.boot(FakeNetwork(), cls=kitboot.Boot)
        self.assertEqual(boot.serve_setup(app, 0.01), 'timeout')
        self.assertEqual(self.machine.resets, 1)
        self.assertIn('timed out', self.log_text())


class SetupServerTest(BootCase, unittest.TestCase):
    """The setup app on a real socket: saving ends the server."""

    def test_save_over_http_ends_the_server(self):
        try:
            __import__('socket')  # ports without a network skip
        except ImportError:
            self.skipTest('no sockets on this port')
        boot = self.boot(FakeNetwork())
        cfg = boot.defaults()
        app = kitsetup.create_app(boot, cfg, ['home'])
        body = b'ssid=home&password=secret12'
        request = (b'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: '
                   b'application/x-www-form-urlencoded\r\nContent-Length: '
                   + str(len(body)).encode() + b'\r\n\r\n' + body)
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
            server = asyncio.create_task(boot.setup_server(app, 0, port))
            data = await asyncio.wait_for(client(), 5)
            await asyncio.wait_for(server, 5)  # shut down by the save
            return data
        data = _run(main())
        self.assertTrue(data.startswith(b'HTTP/1.1 200'), data[:80])
        self.assertIn(b'Connection: close', data)
        self.assertEqual(app.kit_outcome, 'saved')
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
        self.assertEqual(new['port'], 81)
        self.assertEqual(new['extra'], 1)
        with self.assertRaises(kitboot.ConfigError):
            kitsetup.parse_fields({'ssid': ''}, cfg)


if __name__ == '__main__':
    unittest.main()
