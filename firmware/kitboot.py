"""Boot sequence of the firmware: config, network, safe mode, then the app.

The frozen ``main.py`` calls :func:`main`, which runs these steps:

1. Safe mode: if the previous boot left its marker file behind (the app
   raised, hung or reset the board while starting), skip everything this
   once and return to the REPL.
2. Takeover: a ``main.py`` on the filesystem runs instead of the rest
   (a frozen ``main.py`` always wins over the filesystem one, so this is how
   the user's own ``main.py`` still gets its turn).
3. Config: ``config.json`` from the filesystem (never frozen).
4. Network: on boards with Wi-Fi, join the saved networks in order, with
   retries and back-off (:mod:`kitwifi`). Without config, or when none
   joins, open an access point with a captive portal: a DNS server that
   answers every name with the board's address (:mod:`kitdns`), the setup
   page (:mod:`kitsetup`) and Improv Wi-Fi on the serial port
   (:mod:`kitimprov`). A network chosen there is saved and tried while the
   access point stays open; the saved networks are tried again every
   ``setup_timeout`` seconds. Once one joins, the access point closes and
   boot goes on. Ports without Wi-Fi (unix, qemu) skip this step.
5. App: ``app/app.py`` or ``app.py`` on the filesystem, else the frozen demo;
   its ``app`` (a Microdot instance) is served with ``start_server()``,
   its ``max_connections`` set from the board's settings (``kitboard``,
   made by the build from ``boards/<BOARD>/board.json``) unless
   config.json sets one.

Nothing here blocks at import time, and Ctrl-C at any step returns to the
REPL. :class:`Boot` takes the ``network`` and ``machine`` modules, the clock,
the serial port, the board settings and the filesystem root as arguments so
tests can drive it with fakes. The config schema is :mod:`kitconfig`.
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

# The schema lives in kitconfig; these names stay importable from here.
from kitconfig import ConfigError, SCHEMA, validate_config  # noqa: E402,F401


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


def board_settings():
    """The board's settings (boards/<BOARD>/board.json), which the build
    freezes as the module ``kitboard`` (``SETTINGS``); {} without it."""
    board = _import_optional('kitboard')
    return dict(getattr(board, 'SETTINGS', None) or {})


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
                 sleep_ms=sleep_ms, ticks_ms=ticks_ms, log=None,
                 asleep_ms=None, serial=False, board=None):
        self.root = root if root is not None else os.getcwd()
        on_board = network is False
        if network is False:
            network = _import_optional('network')
        if network is not None and not hasattr(network, 'WLAN'):
            network = None
        self.network = network
        self.machine = _import_optional('machine') if machine is False \
            else machine
        self.sleep_ms = sleep_ms
        self.ticks_ms = ticks_ms
        self.asleep_ms = asleep_ms
        self.log = log or (lambda msg: print('kitboot: ' + msg))
        # Improv listens on the console only on a real board's boot.
        self.serial = serial if serial is not False else \
            ('console' if on_board and network is not None else None)
        self.board = board if board is not None else board_settings()
        self.config = None
        self.wifi = None
        self.setup_linger = 5  # seconds the page shows "connected"
        # where setup mode listens (tests move it off the privileged ports)
        self.setup_host, self.setup_port, self.dns_port = '0.0.0.0', 80, 53

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
        import kitconfig
        return self._write(CONFIG_FILE, json.dumps(kitconfig.to_save(cfg)))

    def defaults(self):
        return validate_config({})

    def max_connections(self, cfg):
        """The connection limit: config.json's, else the board's."""
        return cfg.get('max_connections') or \
            self.board.get('max_connections')

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

    def make_wifi(self, cfg):
        import kitwifi
        self.wifi = kitwifi.Wifi(self.network, cfg, ticks_ms=self.ticks_ms,
                                 sleep_ms=self.asleep_ms, log=self.log)
        kitwifi.current = self.wifi
        return self.wifi

    def connect_wifi(self, cfg):
        """Join the saved networks of ``cfg`` in order (``wifi_retries``
        attempts of ``wifi_timeout`` seconds each, with back-off). Returns
        the IP address, or None."""
        import asyncio
        wifi = self.wifi if self.wifi is not None and \
            self.wifi.cfg is cfg else self.make_wifi(cfg)
        wifi.stop_ap()
        wifi.prepare()
        try:
            return asyncio.run(wifi.join_saved())
        finally:
            if hasattr(asyncio, 'new_event_loop'):
                asyncio.new_event_loop()

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
        elif not self.exists(top + '.py'):
            where = self.app_elsewhere(top) or where
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

    def app_elsewhere(self, top):
        """Where an app that is not on the filesystem keeps its files:
        the ROMFS partition (``/rom``, MicroPython 1.25+, ``make romfs``)
        when it holds the app, else the files frozen with the app (``make
        BOARD=... APP=...``), mounted read-only at ``/app_frozen``. Becomes
        the working directory, so ``send_file('static/x.css')`` finds them.
        None when neither is there."""
        for folder in ('/rom',):
            try:
                os.stat(folder + '/' + top + '.py')
            except OSError:
                continue
            os.chdir(folder)
            return folder
        try:
            import kitapp_files
        except ImportError:
            return None
        import kitfiles
        where = kitfiles.mount(kitapp_files.FILES)
        if where is not None:
            os.chdir(where)
            self.log('app files from the image, at ' + where)
        return None  # the app module itself is frozen: found on sys.path

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
            limit = self.max_connections(cfg)
            if limit and getattr(app, 'max_connections', None) is None:
                app.max_connections = limit
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

    def run_setup(self, cfg):
        """Setup mode: access point, captive portal (DNS + setup page),
        Improv on the serial port, and the saved networks retried every
        ``setup_timeout`` seconds. Returns 'joined' (a network joined, the
        access point is closed again) or 'stopped' (Ctrl-C)."""
        import kitsetup
        wifi = self.wifi if self.wifi is not None else self.make_wifi(cfg)
        networks = wifi.scan()
        essid, ip = wifi.start_ap()
        self.log('setup: join Wi-Fi "%s" and open http://%s/' % (essid, ip))
        app = kitsetup.create_app(wifi, cfg, networks, self.save_config,
                                  linger=self.setup_linger,
                                  max_connections=self.max_connections(cfg))
        return self.serve_setup(app, cfg['setup_timeout'])

    async def setup_server(self, app, timeout, port=80, dns_port=53,
                           host='0.0.0.0'):
        """Serve the setup app with the DNS server, Improv (when there is
        a serial port) and the retry timer (``timeout`` seconds, 0: off)
        until a network joins or the server is shut down."""
        import asyncio
        import kitdns
        wifi = self.wifi
        cfg = wifi.cfg
        tasks = []

        def joined(ip):
            app.kit_outcome = 'joined'
            app.shutdown()

        async def retry():
            if await wifi.retry_timer(timeout):
                joined(wifi.ip)

        dns = kitdns.DNSServer(wifi.ap_ip, dns_port, host)
        try:
            dns.open()
            tasks.append(asyncio.create_task(dns.serve()))
        except OSError as exc:
            self.log('setup: no DNS server (%s); open http://%s/ by hand'
                     % (exc, wifi.ap_ip))
        if self.serial is not None and cfg['improv'] and \
                self.board.get('improv', True):
            import kitimprov
            try:
                port_ = kitimprov.StdioPort() \
                    if self.serial == 'console' else self.serial
            except (ImportError, OSError, AttributeError) as exc:
                port_ = None
                self.log('setup: no Improv on the console (%s)' % exc)
            if port_ is not None:
                improv = kitimprov.Improv(
                    wifi, cfg, self.save_config, port_, on_joined=joined,
                    url=lambda ip: self.app_url(ip, cfg), log=self.log)
                tasks.append(asyncio.create_task(improv.serve()))
        if timeout:  # tries only once there is a saved network
            tasks.append(asyncio.create_task(retry()))
        try:
            await app.start_server(host=host, port=port)
        finally:
            for task in tasks:
                task.cancel()
            dns.close()
        return app.kit_outcome

    def app_url(self, ip, cfg):
        """The app's address once joined, as Improv reports it."""
        port = cfg['port'] or 80
        return 'http://%s/' % ip if port == 80 else \
            'http://%s:%d/' % (ip, port)

    def serve_setup(self, app, timeout):
        """Serve setup mode on port 80 until a network joins; then close
        the access point and drop the setup modules (their heap goes back
        to the app)."""
        import asyncio
        try:
            asyncio.run(self.setup_server(app, timeout, self.setup_port,
                                          self.dns_port, self.setup_host))
        except KeyboardInterrupt:
            self.log('stopped')
            return 'stopped'
        finally:
            if hasattr(asyncio, 'new_event_loop'):
                asyncio.new_event_loop()
        return self.leave_setup(app)

    def leave_setup(self, app):
        """After the setup server ended: its outcome ('joined' closes the
        access point and unloads the setup modules)."""
        outcome = getattr(app, 'kit_outcome', None) or 'done'
        if outcome == 'joined':
            self.wifi.stop_ap()
            for name in ('kitsetup', 'kitdns', 'kitimprov'):
                sys.modules.pop(name, None)
            gc.collect()
        return outcome

    def restart(self):
        """Reboot the board (hard reset); a no-op where there is none."""
        if self.machine is not None and hasattr(self.machine, 'reset'):
            self.log('rebooting')
            self.sleep_ms(200)  # let the last log line leave the UART
            self.machine.reset()

    # -- the whole sequence -----------------------------------------------

    def run(self):
        """Run the boot steps. Returns what happened: 'safe', 'done',
        'stopped' or 'crashed'."""
        reason = self.take_safe_mode()
        if reason:
            self.log('SAFE MODE: %s; see %s. The app is skipped this boot; '
                     'reset to try again.' % (reason, self.path(CRASH_FILE)))
            return 'safe'
        if not _in_user_main and self.exists(USER_MAIN):
            return self.run_user_main()
        cfg = self.load_config()
        self.config = cfg = cfg or self.defaults()
        host = '0.0.0.0'
        if self.network is not None:
            import kitconfig
            ip = None
            if kitconfig.saved_networks(cfg):
                ip = self.connect_wifi(cfg)
            else:
                self.make_wifi(cfg).prepare()
            if ip is None:
                outcome = self.run_setup(cfg)
                if outcome != 'joined':
                    return outcome
                ip = self.wifi.ip
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
