"""Fakes and a base test case for the boot tests (tests/test_boot*.py):
a fake `network` module, `machine`, clock and app, and a scratch directory
standing in for the board's filesystem. The tests are split over several
files so each compiles in a board's small heap."""
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

import kitsetup  # noqa: E402,F401  (re-exported to the tests)
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


class BootCase(unittest.TestCase):
    """Base class: a fresh scratch root per test (not a test itself).

    Test classes name unittest.TestCase as a base too, so that tools
    reading a test file alone (the device harness) see they are tests."""

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
        BootCase.counter = getattr(BootCase, 'counter', 0) + 1
        name = 'kitboot_app_%d' % BootCase.counter
        self.write(name + '.py', 'app = None\n')
        self.app_module = name
        module = __import__(name)
        module.app = fake_app
        return name

    def log_text(self):
        return '\n'.join(self.logs)
