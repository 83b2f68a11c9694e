"""The firmware's boot sequence (firmware/kitboot.py, kitsetup.py), driven
with a fake `network` module, a fake `machine` and a fake clock, in a
scratch directory standing in for the board's filesystem."""
import asyncio
import json
import os
import sys
import unittest


def _add_firmware_path():
    here = globals().get('__file__', 'tests/test_boot.py').replace('\\', '/')
    tests = here.rsplit('/', 1)[0] if '/' in here else '.'
    for path in (tests + '/../firmware', 'firmware'):
        if path not in sys.path:
            sys.path.append(path)


try:
    import kitboot  # frozen into the image, or firmware/ on sys.path
except ImportError:
    _add_firmware_path()
    import kitboot

import kitsetup  # noqa: E402
from microdot.test_client import TestClient as Client  # noqa: E402



def _scratch_name():
    # Unique per run: other runs of the suite (CPython, unix port, a board
    # with the repository mounted) may share this working directory.
    try:
        import random
        tag = random.getrandbits(24)
    except (ImportError, AttributeError):
        tag = 0
    try:
        tag ^= os.getpid()
    except AttributeError:
        import time
        tag ^= time.ticks_us() & 0xffffff
    return '_kitboot_scratch_%06x' % tag


SCRATCH = _scratch_name()


def _rmtree(path):
    try:
        names = os.listdir(path)
    except OSError:
        return
    for name in names:
        full = path + '/' + name
        if os.stat(full)[0] & 0x4000:
            _rmtree(full)
        else:
            os.remove(full)
    os.rmdir(path)


def _run(coro):
    if hasattr(asyncio, 'new_event_loop') and \
            sys.implementation.name == 'micropython':
        asyncio.new_event_loop()
    return asyncio.run(coro)


class FakeClock:
    """ticks_ms/sleep_ms that only move when slept on."""

    def __init__(self):
        self.now = 0
        self.slept = 0

    def ticks_ms(self):
        return self.now

    def sleep_ms(self, ms):
        self.now += ms
        self.slept += ms


class FakeWLAN:
    def __init__(self, net, interface):
        self.net = net
        self.interface = interface
        self._active = False
        self.connects = []
        self.polls = 0
        self.settings = {}

    def active(self, value=None):
        if value is None:
            return self._active
        self._active = bool(value)

    def connect(self, ssid, password):
        if self.net.connect_error:
            raise OSError(self.net.connect_error)
        self.connects.append((ssid, password))
        self.polls = 0

    def disconnect(self):
        self.polls = 0

    def isconnected(self):
        if self.interface != self.net.STA_IF or not self.connects:
            return False
        if self.net.accept is None:
            return False
        ssid, password = self.connects[-1]
        if (ssid, password) != self.net.accept:
            return False
        self.polls += 1
        return self.polls > self.net.polls_needed

    def status(self):
        return self.net.status

    def ifconfig(self):
        if self.interface == self.net.AP_IF:
            return ('192.168.4.1', '255.255.255.0', '192.168.4.1', '0.0.0.0')
        return ('10.0.0.42', '255.255.255.0', '10.0.0.1', '10.0.0.1')

    def config(self, *args, **kwargs):
        if args:
            if args[0] == 'mac':
                return b'\x02\x00\x00\x00\xab\xcd'
            return self.settings.get(args[0])
        self.settings.update(kwargs)

    def scan(self):
        if self.net.scan_error:
            raise OSError(self.net.scan_error)
        return self.net.networks


class FakeNetwork:
    """Stands in for MicroPython's `network` module (the rp2 constants)."""
    STA_IF = 0
    AP_IF = 1
    STAT_IDLE = 0
    STAT_CONNECTING = 1
    STAT_GOT_IP = 3
    STAT_CONNECT_FAIL = -1
    STAT_NO_AP_FOUND = -2
    STAT_WRONG_PASSWORD = -3
    AUTH_OPEN = 0
    AUTH_WPA2_PSK = 3

    def __init__(self, accept=None, polls_needed=2, status=1):
        self.accept = accept  # (ssid, password) that joins, None: none does
        self.polls_needed = polls_needed
        self.status = status
        self.connect_error = None
        self.scan_error = None
        self.networks = [(b'weak', b'', 1, -90, 3, 0),
                         (b'home', b'', 6, -40, 3, 0),
                         (b'home', b'', 11, -70, 3, 0)]
        self.interfaces = {}
        self.hostnames = []

    def WLAN(self, interface):
        if interface not in self.interfaces:
            self.interfaces[interface] = FakeWLAN(self, interface)
        return self.interfaces[interface]

    def hostname(self, name=None):
        if name is not None:
            self.hostnames.append(name)


class FakeMachine:
    def __init__(self):
        self.resets = 0

    def reset(self):
        self.resets += 1


class FakeApp:
    """Has start_server() like Microdot; records the call, may raise."""

    def __init__(self, error=None):
        self.error = error
        self.calls = []

    async def start_server(self, host='0.0.0.0', port=5000, debug=False,
                           ssl=None):
        self.calls.append((host, port, debug))
        await asyncio.sleep(0.01)
        if self.error is not None:
            raise self.error


class ScriptedBoot(kitboot.Boot):
    """Boot whose setup server is driven by a script instead of a socket."""

    setup_script = None

    def serve_setup(self, app, timeout):
        self.setup_app = app
        self.setup_timeout = timeout
        if self.setup_script is None:
            return 'not served'
        result = _run(self.setup_script(Client(app)))
        self.setup_result = result
        outcome = app.kit_outcome or 'done'
        if outcome == 'saved':
            self.restart()
        return outcome


class BootTestCase(unittest.TestCase):
    def setUp(self):
        _rmtree(SCRATCH)
        os.mkdir(SCRATCH)
        self.root = os.getcwd().rstrip('/') + '/' + SCRATCH
        self.cwd = os.getcwd()
        self.logs = []
        self.clock = FakeClock()
        self.machine = FakeMachine()
        self.app_module = None
        sys.path.insert(0, self.root)

    def tearDown(self):
        os.chdir(self.cwd)
        if self.root in sys.path:
            sys.path.remove(self.root)
        if self.app_module and self.app_module in sys.modules:
            del sys.modules[self.app_module]
        _rmtree(SCRATCH)

    def boot(self, network=None, cls=ScriptedBoot):
        return cls(root=self.root, network=network, machine=self.machine,
                   sleep_ms=self.clock.sleep_ms, ticks_ms=self.clock.ticks_ms,
                   log=self.logs.append)

    def write(self, name, text):
        with open(self.root + '/' + name, 'w') as f:
            f.write(text)

    def read(self, name):
        with open(self.root + '/' + name) as f:
            return f.read()

    def exists(self, name):
        try:
            os.stat(self.root + '/' + name)
            return True
        except OSError:
            return False

    def write_config(self, **cfg):
        self.write('config.json', json.dumps(cfg))

    def install_app(self, fake_app):
        """An app module in the scratch root exposing ``fake_app``; its name
        is unique per test so no stale module is reused."""
        BootTestCase.counter = getattr(BootTestCase, 'counter', 0) + 1
        name = 'kitboot_app_%d' % BootTestCase.counter
        self.write(name + '.py', 'app = None\n')
        self.app_module = name
        module = __import__(name)
        module.app = fake_app
        return name

    def log_text(self):
        return '\n'.join(self.logs)


class ConfigTest(BootTestCase):
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


class WifiTest(BootTestCase):
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
        self.assertIn('timeout', self.log_text())

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
        self.assertIn('no ap found', self.log_text())

    def test_driver_error_is_a_failed_attempt(self):
        net = FakeNetwork(accept=('home', 'secret12'))
        net.connect_error = 'Wifi Internal Error'
        self.assertIsNone(self.boot(net).connect_wifi(self.cfg(
            wifi_retries=2)))
        self.assertIn('Wifi Internal Error', self.log_text())

    def test_scan_sorted_unique(self):
        net = FakeNetwork()
        self.assertEqual(self.boot(net).scan(), ['home', 'weak'])
        net.scan_error = 'scan failed'
        self.assertEqual(self.boot(net).scan(), [])

    def test_access_point_open_and_protected(self):
        net = FakeNetwork()
        boot = self.boot(net)
        essid, ip = boot.start_access_point(boot.defaults())
        self.assertEqual((essid, ip), ('Microdot-ABCD', '192.168.4.1'))
        ap = net.WLAN(net.AP_IF)
        self.assertTrue(ap.active())
        self.assertEqual(ap.settings['security'], FakeNetwork.AUTH_OPEN)
        cfg = kitboot.validate_config({'ap_ssid': 'Setup',
                                       'ap_password': 'longenough'})
        essid, _ip = boot.start_access_point(cfg)
        self.assertEqual(essid, 'Setup')
        self.assertEqual(ap.settings['password'], 'longenough')
        self.assertEqual(ap.settings['security'], FakeNetwork.AUTH_WPA2_PSK)


class BootSequenceTest(BootTestCase):
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


class SetupServerTest(BootTestCase):
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


class TakeoverAndSafeModeTest(BootTestCase):
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
