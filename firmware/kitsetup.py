"""The setup page served from the access point when there is no Wi-Fi.

``create_app(boot, cfg, networks)`` returns a Microdot app with one form:
SSID (with the networks found by a scan), password, hostname and port.
Saving validates the fields, writes config.json through ``boot`` and ends
the server with ``app.kit_outcome = 'saved'``; the boot code then reboots
into station mode.
"""
from microdot import Microdot, Response

from kitboot import ConfigError, validate_config

_PAGE = '''<!DOCTYPE html>
<html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>Device setup</title>
<style>body{font-family:sans-serif;max-width:26em;margin:2em auto;padding:0 1em}
label{display:block;margin-top:1em}input{width:100%%;padding:.4em;box-sizing:border-box}
button{margin-top:1.5em;padding:.6em 2em}.err{color:#b00}</style>
</head><body><h1>Device setup</h1>%s</body></html>'''

_FORM = '''<p>Connect this device to your Wi-Fi network.</p>%s
<form method="post" action="/">
<label>Network (SSID)<input name="ssid" list="nets" required maxlength="32"
 value="%s"></label><datalist id="nets">%s</datalist>
<label>Password<input name="password" type="password" maxlength="64"></label>
<label>Hostname<input name="hostname" maxlength="63" value="%s"></label>
<label>Web server port<input name="port" type="number" min="1" max="65535"
 value="%s"></label>
<button type="submit">Save and restart</button>
</form>'''

_SAVED = '''<p>Saved. The device restarts and joins <b>%s</b>; its app is
then at <b>http://%s.local%s/</b> (or the address your router gives it).</p>'''


def escape(text):
    """Escape ``text`` for HTML element content and attribute values."""
    return str(text).replace('&', '&amp;').replace('<', '&lt;') \
        .replace('>', '&gt;').replace('"', '&quot;').replace("'", '&#39;')


def _html(body, status=200):
    return Response(_PAGE % body, status_code=status,
                    headers={'Content-Type': 'text/html; charset=utf-8'})


def form_page(cfg, networks, values=None, error=None):
    """The setup form, pre-filled from ``values`` (or ``cfg``)."""
    values = values or {}
    port = values.get('port', cfg.get('port') or 80)
    options = ''.join('<option value="%s">' % escape(n) for n in networks)
    return _FORM % (
        '<p class="err">%s</p>' % escape(error) if error else '',
        escape(values.get('ssid', cfg.get('ssid', ''))), options,
        escape(values.get('hostname', cfg.get('hostname', 'microdot'))),
        escape(port))


def parse_fields(form, cfg):
    """A new config dict from the submitted ``form`` merged into ``cfg``.

    Raises :class:`kitboot.ConfigError` with a message for the user."""
    new = dict(cfg)
    ssid = (form.get('ssid') or '').strip()
    if not ssid:
        raise ConfigError('Enter the network name (SSID).')
    new['ssid'] = ssid
    new['password'] = form.get('password') or ''
    new['hostname'] = (form.get('hostname') or '').strip() or 'microdot'
    port = (form.get('port') or '').strip()
    if port:
        try:
            new['port'] = int(port)
        except ValueError:
            raise ConfigError('The port must be a number.')
    return validate_config(new)


def create_app(boot, cfg, networks):
    """The setup app: ``boot.save_config(cfg)`` persists the new config."""
    app = Microdot()
    app.kit_outcome = None

    @app.get('/')
    async def index(request):
        return _html(form_page(cfg, networks))

    @app.post('/')
    async def save(request):
        form = request.form
        if form is None:
            return _html(form_page(cfg, networks, error='Send the form '
                                   '(application/x-www-form-urlencoded).'),
                         400)
        try:
            new = parse_fields(form, cfg)
        except ConfigError as exc:
            values = {}
            for key in ('ssid', 'hostname', 'port'):
                if form.get(key) is not None:
                    values[key] = form.get(key)
            return _html(form_page(cfg, networks, values, str(exc)), 400)
        if not boot.save_config(new):
            return _html(form_page(cfg, networks, error='Could not write the '
                                   'config file on the device.'), 500)
        cfg.update(new)
        app.kit_outcome = 'saved'

        @request.after_request
        def stop(req, res):
            # Close this connection and end the server once it is sent.
            res.headers['Connection'] = 'close'
            app.shutdown()
            return res

        port = new['port'] if new['port'] and new['port'] != 80 else None
        return _html(_SAVED % (escape(new['ssid']), escape(new['hostname']),
                               ':%d' % port if port else ''))

    @app.route('/<path:path>', methods=['GET', 'POST'])
    async def anything_else(request, path):
        # Phones probe odd URLs on a new network: send them to the form.
        return Response.redirect('/')

    return app
