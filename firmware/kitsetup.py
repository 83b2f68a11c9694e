"""The setup page served on the access point (a captive portal).

``create_app(wifi, cfg, networks, save)`` returns a Microdot app:

- ``GET /``: the networks found by a scan (strongest first, with their
  signal), a password field, hostname and port; while a network is being
  tried the page shows that and reloads itself; a failure shows the error
  above the form.
- ``POST /``: validates the fields, saves them with ``save(cfg)`` (writes
  /config.json), then tries the network while the access point stays
  open (``wifi.join``). Joined: ``app.kit_outcome = 'joined'`` and the
  server ends ``linger`` seconds later, so the phone still sees the result.
- ``GET /status``: ``wifi.status()`` as JSON (state, last error, ...).
- The connectivity checks of Android, iOS/macOS, Windows, Firefox and
  ChromeOS, and any request for another host, are redirected to
  ``http://<board address>/``: a phone that joins the access point sees
  it has no internet and opens the page by itself.

Imports :mod:`kitconfig` (the schema) and the framework, never the boot
module.
"""
import asyncio

from microdot import Microdot, Response

from kitconfig import ConfigError, remember_network, validate_config

# Paths operating systems fetch to find out whether a network has internet.
PROBES = (
    '/generate_204', '/gen_204',                  # Android, Chrome
    '/hotspot-detect.html', '/library/test/success.html',  # Apple
    '/connecttest.txt', '/ncsi.txt', '/redirect',  # Windows
    '/canonical.html', '/success.txt',            # Firefox
    '/chrome-variations/seed', '/mobile/status.php',  # ChromeOS, others
)

_PAGE = '''<!DOCTYPE html>
<html><head><meta charset="utf-8">%s
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>Device setup</title>
<style>body{font-family:sans-serif;max-width:26em;margin:1em auto;padding:0 1em}
label{display:block;margin-top:.8em}input{width:100%%;padding:.5em;box-sizing:border-box;font-size:1em}
.net{display:flex;align-items:center;border:1px solid #ccc;border-radius:.4em;margin:.3em 0;padding:.5em}
.net input[type=radio]{width:auto;margin:0 .6em 0 0}.net span{flex:1}.sig{color:#555;font-size:.85em;flex:none}
.tag{font-size:.75em;color:#555;border:1px solid #aaa;border-radius:.3em;padding:0 .3em}
button{margin-top:1.2em;padding:.7em;width:100%%;font-size:1em}
.err{color:#b00;background:#fee;padding:.5em}.ok{background:#efe;padding:.5em}</style>
</head><body><h1>Device setup</h1>%s</body></html>'''

_FORM = '''%s<form method="post" action="/"><p>Choose your Wi-Fi network:</p>
%s<label class="net"><input type="radio" name="ssid" value="" id="o"%s><span>Other:
<input name="other" maxlength="32" value="%s" placeholder="network name"
 onfocus="document.getElementById('o').checked=true"></span></label>
<label>Password<input name="password" type="password" maxlength="64"></label>
<label>Hostname<input name="hostname" maxlength="63" value="%s"></label>
<label>Web server port<input name="port" type="number" min="1" max="65535"
 value="%s"></label>
<button type="submit">Connect</button></form>'''

_NET = '<label class="net"><input type="radio" name="ssid" value="%s"%s>' \
    '<span>%s</span><span class="sig">%s %d dBm</span></label>\n'

_TRYING = '<p class="ok">Joining <b>%s</b> (attempt %d)&hellip;</p>' \
    '<p>This page reloads by itself.</p>'

_JOINED = '''<p class="ok">Connected to <b>%s</b>. The device leaves setup
mode now; its app is at <b>http://%s%s/</b> (or
<b>http://%s.local%s/</b>). Join your own network again to reach it.</p>'''

_BARS = ('&#9675;', '&#9642;', '&#9642;&#9642;', '&#9642;&#9642;&#9642;',
         '&#9642;&#9642;&#9642;&#9642;')


def escape(text):
    """Escape ``text`` for HTML element content and attribute values."""
    return str(text).replace('&', '&amp;').replace('<', '&lt;') \
        .replace('>', '&gt;').replace('"', '&quot;').replace("'", '&#39;')


def _html(body, status=200, refresh=False):
    head = '<meta http-equiv="refresh" content="1">' if refresh else ''
    return Response(_PAGE % (head, body), status_code=status,
                    headers={'Content-Type': 'text/html; charset=utf-8',
                             'Cache-Control': 'no-store'})


def form_page(cfg, networks, values=None, error=None):
    """The setup form; ``networks``: [(ssid, rssi, secured)] or names."""
    import kitwifi
    values = values or {}
    chosen = values.get('ssid', cfg.get('ssid', ''))
    rows = []
    names = []
    for net in networks:
        if isinstance(net, str):
            net = (net, -100, True)
        name, rssi, secured = net[0], net[1], net[2]
        names.append(name)
        label = escape(name) if secured else \
            escape(name) + ' <span class="tag">open</span>'
        rows.append(_NET % (escape(name), ' checked' if name == chosen
                            else '', label, _BARS[kitwifi.signal_bars(rssi)],
                            rssi))
    other = chosen if chosen not in names else ''
    port = values.get('port', cfg.get('port') or 80)
    return _FORM % (
        '<p class="err">%s</p>' % escape(error) if error else '',
        ''.join(rows), ' checked' if other or not names else '',
        escape(other),
        escape(values.get('hostname', cfg.get('hostname', 'microdot'))),
        escape(port))


def parse_fields(form, cfg):
    """A new config dict from the submitted ``form`` merged into ``cfg``
    (the chosen network first in line). Raises ConfigError with a message
    for the user."""
    ssid = (form.get('ssid') or '').strip() or \
        (form.get('other') or '').strip()
    if not ssid:
        raise ConfigError('Choose a network or enter its name.')
    new = dict(cfg)
    new['hostname'] = (form.get('hostname') or '').strip() or 'microdot'
    port = (form.get('port') or '').strip()
    if port:
        try:
            new['port'] = int(port)
        except ValueError:
            raise ConfigError('The port must be a number.')
    validate_config(new)
    return remember_network(new, ssid, form.get('password') or '')


def _host_ok(host, allowed):
    host = (host or '').lower()
    if host.startswith('['):
        return False
    return host.split(':')[0] in allowed


def create_app(wifi, cfg, networks, save, linger=5, max_connections=None):
    """The setup app. ``save(cfg)`` writes the config and returns True if
    it could; ``wifi`` is a :class:`kitwifi.Wifi` with the access point
    open; ``linger``: seconds between joining and the end of the server."""
    app = Microdot()
    app.kit_outcome = None
    app.max_connections = max_connections
    allowed = ('localhost', '127.0.0.1', str(wifi.ap_ip),
               cfg['hostname'].lower(), cfg['hostname'].lower() + '.local')
    home = 'http://%s/' % wifi.ap_ip
    state = {'task': None}

    @app.before_request
    async def captive(request):
        if request.path in PROBES or \
                not _host_ok(request.headers.get('Host'), allowed):
            res = Response.redirect(home)
            res.headers['Cache-Control'] = 'no-store'
            return res

    @app.get('/status')
    async def status(request):
        data = wifi.status()
        data['outcome'] = app.kit_outcome
        return data, 200, {'Cache-Control': 'no-store'}

    def result_page():
        if wifi.state == 'connecting':
            return _html(_TRYING % (escape(wifi.ssid), wifi.attempt),
                         refresh=True)
        if app.kit_outcome == 'joined':
            port = cfg.get('port')
            port = ':%d' % port if port and port != 80 else ''
            return _html(_JOINED % (escape(wifi.ssid), wifi.ip, port,
                                    escape(cfg['hostname']), port))
        return None

    @app.get('/')
    async def index(request):
        page = result_page()
        if page is not None:
            return page
        return _html(form_page(cfg, networks, error=wifi.last_error and
                               'Could not connect: ' + wifi.last_error))

    async def try_network(ssid, password):
        try:
            ip = await wifi.join(ssid, password)
        except Exception as exc:  # a driver fault: back to the form
            wifi.state = 'setup'
            wifi.last_error = '%s: %s' % (ssid, exc)
            return
        if ip:
            app.kit_outcome = 'joined'
            await asyncio.sleep(linger)
            app.shutdown()

    @app.post('/')
    async def submit(request):
        form = request.form
        if form is None:
            return _html(form_page(cfg, networks, error='Send the form '
                                   '(application/x-www-form-urlencoded).'),
                         400)
        if wifi.busy or wifi.state == 'connecting' or \
                app.kit_outcome == 'joined':
            return Response.redirect('/', 303)
        try:
            new = parse_fields(form, cfg)
        except ConfigError as exc:
            values = {}
            for key in ('hostname', 'port'):
                if form.get(key) is not None:
                    values[key] = form.get(key)
            values['ssid'] = form.get('ssid') or form.get('other') or ''
            return _html(form_page(cfg, networks, values, str(exc)), 400)
        if not save(new):
            return _html(form_page(cfg, networks, error='Could not write the '
                                   'config file on the device.'), 500)
        cfg.update(new)
        wifi.ssid = new['ssid']
        wifi.state = 'connecting'  # the page shows it at once
        wifi.attempt = 1
        state['task'] = asyncio.create_task(
            try_network(new['ssid'], new['password']))
        return Response.redirect('/', 303)

    @app.route('/<path:path>', methods=['GET', 'POST', 'HEAD'])
    async def anything_else(request, path):
        return Response.redirect(home)

    app.kit_state = state
    return app
