"""Fakes and a base test case for the boot tests (tests/test_boot*.py,
test_wifi*.py, test_captive*.py, test_improv.py): the fakes of `network`,
`machine`, the clock and the serial port (wifi_fakes.py), a fake app, and
a scratch directory standing in for the board's filesystem. The tests are
split over several files so each compiles in a board's small heap."""
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
import kitconfig  # noqa: E402,F401
import kitwifi  # noqa: E402,F401
from microdot.test_client import TestClient as Client  # noqa: E402
from wifi_fakes import FakeClock, FakeWLAN, FakeNetwork, \
    FakeMachine, FakeSerial  # noqa: E402,F401


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
    """Boot whose setup server is driven by a script instead of a socket:
    ``setup_script(client)`` runs against the setup app; a network joined
    by then (the form, Improv) ends setup mode as the server would."""

    setup_script = None

    def serve_setup(self, app, timeout):
        self.setup_app = app
        self.setup_timeout = timeout
        if self.setup_script is None:
            return 'not served'
        self.setup_result = _run(self.setup_script(Client(app)))
        return self.leave_setup(app)


async def settle(wifi, steps=2000):
    """Let a join started in the background finish (fake clock)."""
    for _ in range(steps):
        await asyncio.sleep(0)
        if not wifi.busy and wifi.state != 'connecting':
            return
    raise AssertionError('the join did not finish')


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

    def boot(self, network=None, cls=ScriptedBoot, serial=None, board=None):
        boot = cls(root=self.root, network=network, machine=self.machine,
                   sleep_ms=self.clock.sleep_ms, ticks_ms=self.clock.ticks_ms,
                   asleep_ms=self.clock.asleep_ms, log=self.logs.append,
                   serial=serial, board=board or {})
        boot.setup_linger = 0
        return boot

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
