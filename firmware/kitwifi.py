"""Joining Wi-Fi: saved networks in order, retries with back-off, the setup
access point, and the state the status endpoint and Improv report.

States (``Wifi.state``)::

    idle --join_saved()--> connecting --ok--> connected
                               |
                               +-- every saved network failed --> setup
    setup (access point open) --every setup_timeout s, or a new network
        from the page / Improv--> connecting --ok--> connected (AP closes)
                                       +--fail--> setup (last_error kept)

Each network gets ``wifi_retries`` attempts of ``wifi_timeout`` seconds;
between two attempts the pause starts at ``wifi_backoff`` seconds and
doubles (at most 30 s). A wrong password ends a network's attempts at once.

The ``network`` module, the clock and an async ``sleep_ms`` are arguments,
so the tests drive this with fakes. Nothing here blocks: waits are awaited.
"""
import asyncio

import kitconfig

IDLE = 'idle'
CONNECTING = 'connecting'
CONNECTED = 'connected'
SETUP = 'setup'

MAX_BACKOFF = 30  # seconds

# The Wi-Fi of this boot (set by kitboot), for an app's own status route:
# ``kitwifi.current.status()``.
current = None

# network.STAT_* names -> what the page and the log say
_REASONS = (
    ('STAT_WRONG_PASSWORD', 'wrong password'),
    ('STAT_NO_AP_FOUND', 'network not found'),
    ('STAT_CONNECT_FAIL', 'connection failed'),
    ('STAT_HANDSHAKE_TIMEOUT', 'wrong password or handshake timeout'),
    ('STAT_BEACON_TIMEOUT', 'network lost (beacon timeout)'),
    ('STAT_ASSOC_FAIL', 'association failed'),
    ('STAT_NO_AP_FOUND_IN_AUTHMODE_THRESHOLD', 'network not found'),
    ('STAT_NO_AP_FOUND_IN_RSSI_THRESHOLD', 'network not found'),
    ('STAT_NO_AP_FOUND_W_COMPATIBLE_SECURITY',
     'network not found with a compatible security mode'),
)
_FATAL = ('STAT_WRONG_PASSWORD',)  # retrying does not help


try:
    from time import ticks_ms as _ticks_ms, ticks_diff
except ImportError:  # CPython
    import time

    def _ticks_ms():
        return int(time.monotonic() * 1000)

    def ticks_diff(a, b):
        return a - b


async def _sleep_ms(ms):
    await asyncio.sleep(ms / 1000)


def signal_bars(rssi):
    """0-4 bars for a signal strength in dBm."""
    for bars, floor in ((4, -55), (3, -65), (2, -75), (1, -85)):
        if rssi >= floor:
            return bars
    return 0


class Wifi:
    """Wi-Fi of one boot. ``cfg``: the validated config (kitconfig)."""

    def __init__(self, network, cfg, ticks_ms=None, sleep_ms=None, log=None):
        self.net = network
        self.cfg = cfg
        self.ticks_ms = ticks_ms or _ticks_ms
        self.sleep_ms = sleep_ms or _sleep_ms
        self.log = log or (lambda msg: None)
        self.state = IDLE
        self.ssid = None  # the network being tried or joined
        self.attempt = 0
        self.failures = 0  # failed attempts since the last success
        self.last_error = None
        self.ip = None
        self.ap_essid = None
        self.ap_ip = None
        self.busy = False
        self._fatal = [getattr(network, n) for n in _FATAL
                       if hasattr(network, n)]
        self._failed = [getattr(network, n) for n, _r in _REASONS
                        if hasattr(network, n)]

    # -- what the status endpoint shows --------------------------------

    def status(self):
        """The state as a dict (JSON-ready)."""
        return {'state': self.state, 'ssid': self.ssid,
                'attempt': self.attempt, 'failures': self.failures,
                'last_error': self.last_error, 'ip': self.ip,
                'ap': self.ap_essid, 'ap_ip': self.ap_ip,
                'saved': [s for s, _p in kitconfig.saved_networks(self.cfg)]}

    def reason(self, status):
        """Text for a ``wlan.status()`` value."""
        for name, text in _REASONS:
            if getattr(self.net, name, None) == status:
                return text
        return 'status %r' % (status,)

    # -- station -----------------------------------------------------------

    def sta(self):
        wlan = self.net.WLAN(self.net.STA_IF)
        if not wlan.active():
            wlan.active(True)
        return wlan

    def prepare(self):
        """Country and hostname, before the first join."""
        net, cfg = self.net, self.cfg
        if cfg.get('country') and hasattr(net, 'country'):
            net.country(cfg['country'])
        if hasattr(net, 'hostname'):
            try:
                net.hostname(cfg['hostname'])
            except (OSError, ValueError) as exc:
                self.log('cannot set hostname: %s' % exc)

    async def _attempt(self, wlan, ssid, password):
        """One attempt; returns None when joined, else the reason."""
        status = None
        try:
            if wlan.isconnected():
                wlan.disconnect()
            wlan.connect(ssid, password)
            start = self.ticks_ms()
            limit = self.cfg['wifi_timeout'] * 1000
            while not wlan.isconnected():
                status = wlan.status()
                if status in self._failed:
                    return status
                if ticks_diff(self.ticks_ms(), start) >= limit:
                    return 'timed out after %d s' % self.cfg['wifi_timeout']
                await self.sleep_ms(100)
        except OSError as exc:  # e.g. the driver refused to connect
            return 'driver error: %s' % exc
        return None

    async def join(self, ssid, password):
        """Join one network: up to ``wifi_retries`` attempts with back-off.
        Returns the address, or None (``last_error`` says why)."""
        while self.busy:  # another join (the retry timer, the page) runs
            await self.sleep_ms(100)
        self.busy = True
        try:
            return await self._join(ssid, password)
        finally:
            self.busy = False

    async def _join(self, ssid, password):
        wlan = self.sta()
        retries = self.cfg['wifi_retries']
        pause = self.cfg['wifi_backoff']
        back_to = SETUP if self.ap_essid else IDLE
        self.ssid = ssid
        self.state = CONNECTING
        for attempt in range(1, retries + 1):
            self.attempt = attempt
            self.log('joining Wi-Fi "%s" (attempt %d of %d)'
                     % (ssid, attempt, retries))
            result = await self._attempt(wlan, ssid, password)
            if result is None and wlan.isconnected():
                self.ip = wlan.ifconfig()[0]
                self.state = CONNECTED
                self.failures = 0
                self.last_error = None
                self.log('Wi-Fi joined, address %s' % self.ip)
                return self.ip
            reason = result if isinstance(result, str) else \
                self.reason(result)
            self.failures += 1
            self.last_error = '%s: %s' % (ssid, reason)
            self.log('Wi-Fi attempt %d failed: %s' % (attempt, reason))
            try:
                wlan.disconnect()
            except OSError:
                pass
            if result in self._fatal:
                break
            if attempt < retries and pause:
                await self.sleep_ms(1000 * pause)
                pause = min(pause * 2, MAX_BACKOFF)
        self.state = back_to
        return None

    async def join_saved(self):
        """Try every saved network in order; the address, or None."""
        saved = kitconfig.saved_networks(self.cfg)
        if not saved:
            self.last_error = self.last_error or 'no network configured'
            return None
        for ssid, password in saved:
            ip = await self.join(ssid, password)
            if ip:
                return ip
        if not self.ap_essid:
            self.net.WLAN(self.net.STA_IF).active(False)
        return None

    def scan(self):
        """Networks around: [(ssid, rssi, secured)], strongest first, each
        name once (empty if the scan fails)."""
        try:
            found = self.sta().scan()
        except OSError as exc:
            self.log('Wi-Fi scan failed: %s' % exc)
            return []
        found = sorted(found, key=lambda n: -n[3])
        nets = []
        seen = []
        for entry in found:
            try:
                name = bytes(entry[0]).decode()
            except UnicodeError:
                continue
            if name and name not in seen:
                seen.append(name)
                nets.append((name, entry[3], bool(entry[4])))
        return nets

    # -- the setup access point -----------------------------------------

    def start_ap(self):
        """Open the setup access point; returns (essid, address)."""
        net, cfg = self.net, self.cfg
        ap = net.WLAN(net.AP_IF)
        essid = cfg['ap_ssid']
        if not essid:
            try:
                mac = bytes(ap.config('mac'))
                essid = 'Microdot-%02X%02X' % (mac[-2], mac[-1])
            except (OSError, ValueError, IndexError, TypeError):
                essid = 'Microdot-Setup'
        ap.active(True)
        if cfg['ap_password']:
            ap.config(essid=essid, password=cfg['ap_password'],
                      security=getattr(net, 'AUTH_WPA2_PSK', 3))
        else:
            ap.config(essid=essid, security=getattr(net, 'AUTH_OPEN', 0))
        self.ap_essid = essid
        self.ap_ip = ap.ifconfig()[0]
        if self.state != CONNECTING:
            self.state = SETUP
        return essid, self.ap_ip

    def stop_ap(self):
        """Close the setup access point."""
        ap = self.net.WLAN(self.net.AP_IF)
        if ap.active():
            ap.active(False)
        self.ap_essid = self.ap_ip = None
        if self.state == SETUP:
            self.state = IDLE

    async def retry_timer(self, seconds):
        """While the access point is open, try the saved networks again
        every ``seconds``; returns the address once one joins."""
        while True:
            await self.sleep_ms(seconds * 1000)
            if not kitconfig.saved_networks(self.cfg):
                continue
            self.log('setup: trying the saved networks again')
            ip = await self.join_saved()
            if ip:
                return ip
