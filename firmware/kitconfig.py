"""The schema of ``/config.json``: every key, its default and its check.

Used by the boot code (:mod:`kitboot`), the setup page (:mod:`kitsetup`)
and Improv (:mod:`kitimprov`); it imports nothing of theirs, so each of them
can be changed (or left out of an image) alone.

``validate_config(data)`` returns a complete config dict or raises
:class:`ConfigError` naming the key; ``saved_networks(cfg)`` lists the
networks to try, in order; ``remember_network(cfg, ssid, password)`` puts
one first; ``to_save(cfg)`` is what goes to the file (only what differs
from the defaults).
"""

MAX_NETWORKS = 5  # saved networks kept in config.json

_STR = (str,)
_INT = (int,)


def _check_port(v):
    return None if 0 < v < 65536 else 'must be 1-65535'


def _check_positive(v):
    return None if v > 0 else 'must be > 0'


def _check_not_negative(v):
    return None if v >= 0 else 'must be >= 0'


def check_ssid(v):
    """An error message for a bad SSID, or None."""
    if not isinstance(v, str):
        return 'must be a string'
    return None if len(v.encode()) <= 32 else 'is longer than 32 bytes'


def check_password(v):
    """An error message for a bad Wi-Fi password, or None."""
    if not isinstance(v, str):
        return 'must be a string'
    return None if len(v.encode()) <= 64 else 'is longer than 64 bytes'


def _check_ap_password(v):
    return None if v == '' or 8 <= len(v) <= 63 else \
        'must be empty (open network) or 8-63 characters'


def check_hostname(v):
    """An error message for a bad hostname, or None."""
    if not 0 < len(v) <= 63:
        return 'must be 1-63 characters'
    for c in v:
        if not (c.isalpha() or c.isdigit() or c == '-') or ord(c) > 127:
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
    if v == '':
        return None
    return None if len(v) == 2 and v.isalpha() else 'must be 2 letters'


def _check_networks(v):
    if len(v) > MAX_NETWORKS:
        return 'holds more than %d networks' % MAX_NETWORKS
    for i, net in enumerate(v):
        if not isinstance(net, dict) or not isinstance(net.get('ssid'), str) \
                or not net['ssid']:
            return 'entry %d must be {"ssid": "...", "password": "..."}' % i
        problem = check_ssid(net['ssid']) or \
            check_password(net.get('password', ''))
        if problem:
            return 'entry %d: %s' % (i, problem)
    return None


# key: (default, accepted types, checker returning a message or None)
SCHEMA = {
    'ssid': ('', _STR, check_ssid),
    'password': ('', _STR, check_password),
    'networks': ([], (list,), _check_networks),
    'hostname': ('microdot', _STR, check_hostname),
    'port': (None, _INT, _check_port),  # None: 80 with Wi-Fi, else 5000
    'app': ('app', _STR, _check_module),
    'debug': (False, (bool,), None),
    'country': ('', _STR, _check_country),
    'wifi_timeout': (15, _INT, _check_positive),
    'wifi_retries': (3, _INT, _check_positive),
    'wifi_backoff': (1, _INT, _check_not_negative),
    'ap_ssid': ('', _STR, check_ssid),
    'ap_password': ('', _STR, _check_ap_password),
    'setup_timeout': (600, _INT, _check_not_negative),
    'stable_after': (10, _INT, _check_not_negative),
    'max_connections': (None, _INT, _check_positive),  # None: the board's
    'improv': (True, (bool,), None),
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
        cfg[key] = list(value) if isinstance(value, list) else value
    for key in data:
        if key not in cfg:
            cfg[key] = data[key]
    return cfg


def defaults():
    """A config with every key at its default."""
    return validate_config({})


def to_save(cfg):
    """What to write to the file: ``cfg`` validated, keys at their default
    left out (the file stays short and readable)."""
    cfg = validate_config(cfg)
    data = {}
    for key in cfg:
        if key not in SCHEMA or cfg[key] != SCHEMA[key][0]:
            data[key] = cfg[key]
    return data


def saved_networks(cfg):
    """The networks to try, in order: [(ssid, password), ...]. ``ssid`` /
    ``password`` come first, then ``networks`` (duplicates dropped)."""
    found = []
    if cfg.get('ssid'):
        found.append((cfg['ssid'], cfg.get('password') or ''))
    for net in cfg.get('networks') or ():
        entry = (net['ssid'], net.get('password') or '')
        if not any(entry[0] == f[0] for f in found):
            found.append(entry)
    return found


def remember_network(cfg, ssid, password):
    """A copy of ``cfg`` with ``ssid`` first in line (as ``ssid`` and
    ``password``) and the networks saved before it kept after it, at most
    :data:`MAX_NETWORKS` in all. Raises :class:`ConfigError`."""
    new = dict(cfg)
    others = [{'ssid': s, 'password': p} for s, p in saved_networks(cfg)
              if s != ssid]
    new['ssid'] = ssid
    new['password'] = password
    new['networks'] = others[:MAX_NETWORKS - 1]
    return validate_config(new)


# boards/<BOARD>/board.json: key -> (default, accepted types). The build
# checks the file with validate_board() and freezes it as the module
# ``kitboard`` (SETTINGS = {...}), which the boot reads.
BOARD_SCHEMA = {
    'wifi': (False, (bool,)),      # the port has network.WLAN
    'improv': (False, (bool,)),    # Improv on the console in setup mode
    'tcp_pcbs': (None, _INT),      # TCP connections the stack holds
    'max_connections': (None, _INT),  # the server's limit (below tcp_pcbs)
}


def validate_board(data):
    """A complete board settings dict from parsed board.json; raises
    :class:`ConfigError` naming the key. Unknown keys are kept."""
    if not isinstance(data, dict):
        raise ConfigError('board settings must be a JSON object')
    board = dict(data)
    for key in BOARD_SCHEMA:
        default, types = BOARD_SCHEMA[key]
        value = data.get(key, default)
        if value is not None and (not isinstance(value, types) or (
                types is _INT and (isinstance(value, bool) or value < 1))):
            raise ConfigError('board key "%s" must be %s, not %r'
                              % (key, types[0].__name__, value))
        board[key] = value
    limit, pcbs = board['max_connections'], board['tcp_pcbs']
    if limit and pcbs and limit > pcbs:
        raise ConfigError('board key "max_connections" (%d) is more than '
                          '"tcp_pcbs" (%d)' % (limit, pcbs))
    return board
