"""Fakes of MicroPython's `network` and `machine` modules, a clock and a
serial port, for the boot, Wi-Fi, captive portal and Improv tests, and for
tests/captive_runner.py (the setup mode on the unix port). Imports nothing
but asyncio, so it loads in a subprocess without the test libraries."""
import asyncio


class FakeClock:
    """ticks_ms/sleep_ms that only move when slept on; ``asleep_ms`` is the
    async sleep (it yields to the loop once)."""

    def __init__(self):
        self.now = 0
        self.slept = 0

    def ticks_ms(self):
        return self.now

    def sleep_ms(self, ms):
        self.now += ms
        self.slept += ms

    async def asleep_ms(self, ms):
        self.now += ms
        self.slept += ms
        await asyncio.sleep(0)


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
        if not self.net.accepts(self.connects[-1]):
            return False
        self.polls += 1
        return self.polls > self.net.polls_needed

    def status(self):
        if not self.connects:
            return self.net.STAT_IDLE
        if self.net.accepts(self.connects[-1]):
            return self.net.STAT_CONNECTING  # joins after a few polls
        return self.net.statuses.get(self.connects[-1][0], self.net.status)

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
    """Stands in for MicroPython's `network` module (the rp2 constants).

    ``accept``: the (ssid, password) that joins, a list of them, or None;
    ``status``: what ``wlan.status()`` says while not joined (``statuses``
    maps an SSID to its own)."""
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
        self.accept = accept
        self.polls_needed = polls_needed
        self.status = status
        self.statuses = {}
        self.connect_error = None
        self.scan_error = None
        self.networks = [(b'weak', b'', 1, -90, 3, 0),
                         (b'home', b'', 6, -40, 3, 0),
                         (b'home', b'', 11, -70, 3, 0),
                         (b'cafe', b'', 1, -60, 0, 0)]
        self.interfaces = {}
        self.hostnames = []

    def accepts(self, pair):
        if self.accept is None:
            return False
        if isinstance(self.accept, list):
            return pair in self.accept
        return pair == self.accept

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


class FakeSerial:
    """A byte port for Improv: ``feed(b)`` queues bytes for the device to
    read; what it writes collects in ``out``."""

    def __init__(self):
        self.inbox = b''
        self.out = b''

    def feed(self, data):
        self.inbox += data

    def read(self):
        data, self.inbox = self.inbox[:16], self.inbox[16:]
        return data

    def write(self, data):
        self.out += data
