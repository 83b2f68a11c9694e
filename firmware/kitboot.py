"""Boot sequence of the firmware: config, network, safe mode, then the app.

The frozen ``main.py`` calls :func:`main`, which runs these steps:

1. Safe mode: if the previous boot left its marker file behind (the app
   raised, hung or reset the board while starting), skip everything this
   once and return to the REPL.
2. Takeover: a ``main.py`` on the filesystem runs instead of the rest
   (a frozen ``main.py`` always wins over the filesystem one, so this is how
   the user's own ``main.py`` still gets its turn).
3. Config: ``config.json`` from the filesystem (never frozen).
4. Network: on boards with Wi-Fi, join the configured network with a timeout
   and retries. Without config, or when joining fails, open an access point
   and serve a setup page (:mod:`kitsetup`) that saves the credentials and
   reboots. Ports without Wi-Fi (unix, qemu) skip this step.
5. App: ``app/app.py`` or ``app.py`` on the filesystem, else the frozen demo;
   its ``app`` (a Microdot instance) is served with ``start_server()``.

Nothing here blocks at import time, and Ctrl-C at any step returns to the
REPL. :class:`Boot` takes the ``network`` and ``machine`` modules, the clock
and the filesystem root as arguments so tests can drive it with fakes.
"""
import gc
import json
import os
import sys

try:
    from time import ticks_ms, ticks_diff, sleep_ms
except ImportError:  # CPython
    import time

    def ticks_ms():
        return int(time.monotonic() * 1000)

    def ticks_diff(a, b):
        return a - b

    def sleep_ms(ms):
        time.sleep(ms / 1000)

CONFIG_FILE = 'config.json'
MARKER_FILE = '.kit_booting'  # present while the app is starting
CRASH_FILE = 'kit_crash.txt'  # traceback of the last crash at boot
USER_MAIN = 'main.py'
APP_DIR = 'app'

# Every key config.json may hold: default value and a checker that returns
# an error message or None.
_STR = (str,)
_INT = (int,)


def _check_port(v):
    return None if 0 < v < 65536 else 'must be 1-65535'


def _check_positive(v):
    return None if v > 0 else 'must be > 0'


def _check_not_negative(v):
    return None if v >= 0 else 'must be >= 0'


def _check_ssid(v):
    return None if len(v) <= 32 else 'is longer than 32 characters'


def _check_password(v):
    return None if len(v) <= 64 else 'is longer than 64 characters'


def _check_ap_password(v):
    return None if v == '' or 8 <= len(v) <= 63 else \
        'must be empty (open network) or 8-63 characters'


def _check_hostname(v):
    if not 0 < len(v) <= 63:
        return 'must be 1-63 characters'
    for c in v:
        if not (c.isalpha() or c.isdigit() or c == '-'):
            return 'may only hold letters, digits and "-"'
    if v[0] == '-' or v[-1] == '-':
        return 'may not start or end with "-"'
    return None


def _check_module(v):
    for part in v.split('.'):
        if not part or part[0].isdigit() or \
                not all(c.isalpha() or c.isdigit() or c == '_' for c in part):
            return 'is not a module name'
    return None


def _check_country(v):
    return None if len(v) == 2 and v.isalpha() else 'must be 2 letters'


SCHEMA = {
    'ssid': ('', _STR, _check_ssid),
    'password': ('', _STR, _check_password),
    'hostname': ('microdot', _STR, _check_hostname),
    'port': (None, _INT, _check_port),  # None: 80 with Wi-Fi, else 5000
    'app': ('app', _STR, _check_module),
    'debug': (False, (bool,), None),
    'country': ('', _STR, lambda v: None if v == '' else _check_country(v)),
    'wifi_timeout': (15, _INT, _check_positive),
    'wifi_retries': (3, _INT, _check_positive),
    'ap_ssid': ('', _STR, _check_ssid),
    'ap_password': ('', _STR, _check_ap_password),
    'setup_timeout': (600, _INT, _check_not_negative),
    'stable_after': (10, _INT, _check_not_negative),
}


class ConfigError(ValueError):
    """config.json cannot be used; the message says why."""


def validate_config(data):
    """Return a complete config dict from ``data`` (parsed JSON).

    Missing keys get their defaults; a wrong type or value raises
    :class:`ConfigError` naming the key. Unknown keys are kept (the app may
    read its own settings from the same file).
    """
    if not isinstance(data, dict):
        raise ConfigError('config must be a JSON object, not %s'
                          % type(data).__name__)
    cfg = {}
    for key in SCHEMA:
        default, types, check = SCHEMA[key]
        value = data.get(key, default)
        if value is None and default is None:
            cfg[key] = None
            continue
        # bool is an int subclass: reject true/false where a number belongs.
        if not isinstance(value, types) or \
                (types is _INT and isinstance(value, bool)):
            raise ConfigError('config key "%s" must be %s, not %r'
                              % (key, types[0].__name__, value))
        problem = check(value) if check else None
        if problem:
            raise ConfigError('config key "%s" %s' % (key, problem))
        cfg[key] = value
    for key in data:
        if key not in cfg:
            cfg[key] = data[key]
    return cfg


def format_exception(exc):
    """The traceback of ``exc`` as text, on MicroPython and CPython."""
    if hasattr(sys, 'print_exception'):
        import io
        buf = io.StringIO()
        sys.print_exception(exc, buf)
        return buf.getvalue()
    import traceback
    return ''.join(traceback.format_exception(type(exc), exc,
                                              exc.__traceback__))


def _import_optional(name):
    try:
        return __import__(name)
    except ImportError:
        return None


_in_user_main = False  # set while a filesystem main.py runs (no recursion)


class Boot:
    """One boot of the device. See the module docstring for the steps.

    ``root``: directory holding config.json, the marker and the app (default:
    the current directory, ``/`` on a board). ``network``/``machine``: the
    modules (default: imported if the port has them; ``network`` without
    ``WLAN`` means no Wi-Fi step). ``sleep_ms``/``ticks_ms``: the clock.
    ``log``: where progress messages go (default ``print``).
    """

    def __init__(self, root=None, network=False, machine=False,
                 sleep_ms=sleep_ms, ticks_ms=ticks_ms, log=None):
        self.root = root if root is not None else os.getcwd()
        if network is False:
            network = _import_optional('network')
        if network is not None and not hasattr(network, 'WLAN'):
            network = None
        self.network = network
        self.machine = _import_optional('machine') if machine is False \
            else machine
        self.sleep_ms = sleep_ms
        self.ticks_ms = ticks_ms
        self.log = log or (lambda msg: print('kitboot: ' + msg))
        self.config = None

    # -- files -------------------------------------------------------------

    def path(self, name):
        if not self.root or self.root.endswith('/'):
            return self.root + name
        return self.root + '/' + name

    def exists(self, name):
        try:
            os.stat(self.path(name))
            return True
        except OSError:
            return False

    def _write(self, name, text):
        """Write a file, replacing it whole; False if the filesystem is
        read-only or missing (qemu), so boot goes on without it."""
        tmp = self.path(name + '.tmp')
        try:
            with open(tmp, 'w') as f:
                f.write(text)
            try:
                os.remove(self.path(name))
            except OSError:
                pass
            os.rename(tmp, self.path(name))
            return True
        except OSError as exc:
            self.log('cannot write %s: %s' % (name, exc))
            return False

    def _remove(self, name):
        try:
            os.remove(self.path(name))
        except OSError:
            pass

    # -- config ------------------------------------------------------------

    def load_config(self):
        """Read config.json: a complete config dict, or None when there is
        no usable config (missing, or invalid: the reason is logged)."""
        paths = [self.path(CONFIG_FILE)]
        if self.network is not None and self.root.rstrip('/'):
            # A board running an app from elsewhere (`mpremote mount`):
            # its Wi-Fi settings stay in the filesystem root.
            paths.append('/' + CONFIG_FILE)
        text = None
        for path in paths:
            try:
                with open(path) as f:
                    text = f.read()
                break
            except OSError:
                pass
        if text is None:
            self.log('no %s' % CONFIG_FILE)
            return None
        try:
            return validate_config(json.loads(text))
        except ValueError as exc:  # ConfigError and JSON syntax errors
            self.log('%s is not usable: %s' % (CONFIG_FILE, exc))
            return None

    def save_config(self, cfg):
        """Write ``cfg`` (validated first) to config.json. Returns True if
        it was written."""
        cfg = validate_config(cfg)
        data = {}
        for key in cfg:
            # Keep the file short: only what differs from the defaults.
            if key not in SCHEMA or cfg[key] != SCHEMA[key][0]:
                data[key] = cfg[key]
        return self._write(CONFIG_FILE, json.dumps(data))

    def defaults(self):
        return validate_config({})

    # -- safe mode ---------------------------------------------------------

    def take_safe_mode(self):
        """If the previous boot did not get its app started cleanly, return
        why (and clear the marker so the boot after this one tries again);
        else None."""
        if not self.exists(MARKER_FILE):
            return None
        try:
            with open(self.path(MARKER_FILE)) as f:
                what = f.read().strip() or 'the app'
        except OSError:
            what = 'the app'
        self._remove(MARKER_FILE)
        return '%s did not start cleanly at the previous boot' % what

    def mark_starting(self, what):
        self._write(MARKER_FILE, what)

    def mark_started(self):
        self._remove(MARKER_FILE)

    def record_crash(self, what, exc):
        """Log a crash at boot and keep it for the next boot (safe mode)."""
        text = format_exception(exc)
        self.log('%s crashed:\n%s' % (what, text))
        self._write(MARKER_FILE, what)
        self._write(CRASH_FILE, '%s crashed:\n%s' % (what, text))

    # -- Wi-Fi -------------------------------------------------------------

    def _status_name(self, status):
        for name in ('STAT_WRONG_PASSWORD', 'STAT_NO_AP_FOUND',
                     'STAT_CONNECT_FAIL', 'STAT_CONNECTING', 'STAT_IDLE',
                     'STAT_GOT_IP'):
            if getattr(self.network, name, None) == status:
                return name[5:].lower().replace('_', ' ')
        return 'status %r' % (status,)

    def connect_wifi(self, cfg):
        """Join ``cfg['ssid']``: up to ``wifi_retries`` attempts of
        ``wifi_timeout`` seconds each. Returns the IP address, or None."""
        net = self.network
        if cfg.get('country') and hasattr(net, 'country'):
            net.country(cfg['country'])
        if hasattr(net, 'hostname'):
            try:
                net.hostname(cfg['hostname'])
            except (OSError, ValueError) as exc:
                self.log('cannot set hostname: %s' % exc)
        ap = net.WLAN(net.AP_IF)
        if ap.active():
            ap.active(False)
        wlan = net.WLAN(net.STA_IF)
        wlan.active(True)
        fatal = (getattr(net, 'STAT_WRONG_PASSWORD', None),)
        failed = (getattr(net, 'STAT_NO_AP_FOUND', None),
                  getattr(net, 'STAT_CONNECT_FAIL', None)) + fatal
        retries = cfg['wifi_retries']
        for attempt in range(1, retries + 1):
            self.log('joining Wi-Fi "%s" (attempt %d of %d)'
                     % (cfg['ssid'], attempt, retries))
            status = None
            try:
                if wlan.isconnected():
                    wlan.disconnect()
                wlan.connect(cfg['ssid'], cfg['password'])
                start = self.ticks_ms()
                while not wlan.isconnected():
                    status = wlan.status()
                    if status in failed and status is not None:
                        break
                    if ticks_diff(self.ticks_ms(), start) >= \
                            cfg['wifi_timeout'] * 1000:
                        status = 'timeout'
                        break
                    self.sleep_ms(100)
            except OSError as exc:  # e.g. the driver refused to connect
                status = 'error %s' % exc
            if wlan.isconnected():
                ip = wlan.ifconfig()[0]
                self.log('Wi-Fi joined, address %s' % ip)
                return ip
            reason = status if isinstance(status, str) \
                else self._status_name(status)
            self.log('Wi-Fi attempt %d failed: %s' % (attempt, reason))
            try:
                wlan.disconnect()
            except OSError:
                pass
            if status in fatal and status is not None:
                break  # a wrong password does not get better by retrying
            if attempt < retries:
                self.sleep_ms(1000 * attempt)
        wlan.active(False)
        return None

    def scan(self):
        """SSIDs around, strongest first (empty if the scan fails)."""
        try:
            wlan = self.network.WLAN(self.network.STA_IF)
            wlan.active(True)
            found = wlan.scan()
        except OSError as exc:
            self.log('Wi-Fi scan failed: %s' % exc)
            return []
        found = sorted(found, key=lambda n: -n[3])
        names = []
        for entry in found:
            try:
                name = bytes(entry[0]).decode()
            except UnicodeError:
                continue
            if name and name not in names:
                names.append(name)
        return names

    def start_access_point(self, cfg):
        """Open the setup access point; returns (essid, ip address)."""
        net = self.network
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
        return essid, ap.ifconfig()[0]

    # -- the app -------------------------------------------------------------

    def load_app(self, cfg):
        """Import the app module and return its Microdot instance.

        ``app/`` on the filesystem (a folder copied with ``make deploy``)
        becomes the working directory, so the app finds its files; then the
        module named by ``cfg['app']`` is imported from the usual sys.path
        (the filesystem before the frozen modules). The module provides
        ``app`` or ``create_app()``.
        """
        name = cfg['app']
        where = self.root
        top = name.split('.')[0]
        if self.exists(APP_DIR + '/' + top + '.py') or \
                self.exists(APP_DIR + '/' + top + '/__init__.py'):
            where = self.path(APP_DIR)
            os.chdir(where)
        # Ahead of '.frozen', so the user's app shadows the frozen demo.
        if where not in sys.path:
            sys.path.insert(0, where)
        module = __import__(name)
        for part in name.split('.')[1:]:
            module = getattr(module, part)
        app = getattr(module, 'app', None)
        if app is None and hasattr(module, 'create_app'):
            app = module.create_app()
        if app is None or not hasattr(app, 'start_server'):
            raise ValueError('module %s has no Microdot instance named "app" '
                             'and no create_app()' % name)
        path = getattr(module, '__file__', '')
        try:
            os.stat(path)
        except OSError:
            path = 'the image (frozen)'
        self.log('app "%s" from %s' % (name, path))
        return app

    def serve(self, app, host, port, debug=False, stable_after=None):
        """Run ``app.start_server()`` until it ends or Ctrl-C.

        When ``stable_after`` is a number, the boot marker is removed once
        the server has run that many seconds (the app started cleanly)."""
        import asyncio

        async def mark_stable():
            await asyncio.sleep(stable_after)
            self.mark_started()

        async def run():
            task = None
            if stable_after is not None:
                task = asyncio.create_task(mark_stable())
            try:
                await app.start_server(host=host, port=port, debug=debug)
            finally:
                if task is not None:
                    task.cancel()

        try:
            asyncio.run(run())
        finally:
            if hasattr(asyncio, 'new_event_loop'):
                asyncio.new_event_loop()  # drop stale tasks for the REPL

    def run_app(self, cfg, host):
        """Import and serve the app with the boot marker around it: a crash
        (exception, hang-then-reset, hard fault) before the server has been
        up ``stable_after`` seconds puts the next boot in safe mode."""
        port = cfg['port'] or (80 if self.network else 5000)
        self.mark_starting('app "%s"' % cfg['app'])
        try:
            app = self.load_app(cfg)
            gc.collect()
            free = ', %d bytes of heap free' % gc.mem_free() \
                if hasattr(gc, 'mem_free') else ''
            self.log('serving on http://%s:%d/ (Ctrl-C stops%s)'
                     % (host, port, free))
            self.serve(app, '0.0.0.0', port, debug=cfg['debug'],
                       stable_after=cfg['stable_after'])
        except KeyboardInterrupt:
            self.mark_started()
            self.log('stopped')
            return 'stopped'
        except Exception as exc:
            self.record_crash('app "%s"' % cfg['app'], exc)
            return 'crashed'
        self.mark_started()
        return 'done'

    def run_user_main(self):
        """Execute the filesystem main.py as ``__main__``."""
        global _in_user_main
        path = self.path(USER_MAIN)
        self.log('running %s' % path)
        _in_user_main = True
        try:
            with open(path) as f:
                source = f.read()
            code = compile(source, path, 'exec')
            source = None
            gc.collect()
            exec(code, {'__name__': '__main__', '__file__': path})
        except KeyboardInterrupt:
            return 'stopped'
        except SystemExit:
            return 'done'
        except Exception as exc:
            self.record_crash(USER_MAIN, exc)
            return 'crashed'
        finally:
            _in_user_main = False
        return 'done'

    def run_setup(self, cfg, had_config):
        """Access point + setup page until the user saves credentials (then
        reboot), or until ``setup_timeout`` when a config existed (then
        reboot to try the network again)."""
        import kitsetup
        networks = self.scan()
        essid, ip = self.start_access_point(cfg)
        self.log('setup: join Wi-Fi "%s" and open http://%s/' % (essid, ip))
        app = kitsetup.create_app(self, cfg, networks)
        timeout = cfg['setup_timeout'] if had_config else 0
        return self.serve_setup(app, timeout)

    async def setup_server(self, app, timeout, port=80):
        """Serve the setup app until it is done or ``timeout`` seconds
        (0: no limit) have passed."""
        import asyncio

        async def give_up():
            await asyncio.sleep(timeout)
            self.log('setup timed out, restarting to try the network again')
            app.kit_outcome = 'timeout'
            app.shutdown()

        task = asyncio.create_task(give_up()) if timeout else None
        try:
            await app.start_server(host='0.0.0.0', port=port)
        finally:
            if task is not None:
                task.cancel()

    def serve_setup(self, app, timeout):
        """Serve the setup app on port 80; reboot when it is done."""
        import asyncio
        try:
            asyncio.run(self.setup_server(app, timeout))
        except KeyboardInterrupt:
            self.log('stopped')
            return 'stopped'
        finally:
            if hasattr(asyncio, 'new_event_loop'):
                asyncio.new_event_loop()
        outcome = getattr(app, 'kit_outcome', 'done')
        if outcome in ('saved', 'timeout'):
            self.restart()
        return outcome

    def restart(self):
        """Reboot the board (hard reset); a no-op where there is none."""
        if self.machine is not None and hasattr(self.machine, 'reset'):
            self.log('rebooting')
            self.sleep_ms(200)  # let the last log line leave the UART
            self.machine.reset()

    # -- the whole sequence ----------------------------------------------------

    def run(self):
        """Run the boot steps. Returns what happened: 'safe', 'done',
        'stopped', 'crashed', 'saved' or 'timeout' (the last two reboot
        the board first, where it can)."""
        reason = self.take_safe_mode()
        if reason:
            self.log('SAFE MODE: %s; see %s. The app is skipped this boot; '
                     'reset to try again.' % (reason, self.path(CRASH_FILE)))
            return 'safe'
        if not _in_user_main and self.exists(USER_MAIN):
            return self.run_user_main()
        cfg = self.load_config()
        had_config = cfg is not None
        self.config = cfg = cfg or self.defaults()
        host = '0.0.0.0'
        if self.network is not None:
            ip = self.connect_wifi(cfg) if cfg['ssid'] else None
            if ip is None:
                return self.run_setup(cfg, had_config and cfg['ssid'] != '')
            host = ip
        return self.run_app(cfg, host)


def main(**kwargs):
    """Boot the device: see :class:`Boot`. Called by the frozen main.py."""
    try:
        return Boot(**kwargs).run()
    except KeyboardInterrupt:
        print('kitboot: stopped')
        return 'stopped'


if __name__ == '__main__':
    # `micropython -m kitboot`: the same boot on the unix port.
    main()
