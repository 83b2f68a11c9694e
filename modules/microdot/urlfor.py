"""Build URLs from endpoint names: ``app.url_for('api.get_user', id=3)``.

Every route has an endpoint: the handler's name, or ``endpoint=`` given to
``route()``; a sub-app mounted with ``app.mount(sub, '/api')`` prefixes its
endpoints with ``'api.'`` (or ``name + '.'``). :func:`url_for` finds the
route, puts the values into its dynamic parts and appends the rest as a
query string::

    app.url_for('api.get_user', id=3)              # '/api/users/3'
    app.url_for('api.get_users', page=2)           # '/api/users?page=2'
    request.url_for('.get_user', id=3)             # same sub-app as request
    request.url_for('index', _external=True)       # 'http://host:5000/'

Loaded on the first call: an app that never builds URLs does not pay for it.
"""
from .urls import urlencode

# not percent-encoded in a path segment (RFC 3986 pchar, minus '%')
_SAFE = ('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
         "-._~!$&'()*+,;=:@")
_HEX = '0123456789ABCDEF'
_OPTIONS = ('_external', '_scheme', '_anchor', '_method')

#: type name -> function turning a value into its URL text (the reverse of
#: a parser given to ``URLPattern.register_type``); the default is ``str``.
converters = {}


class BuildError(LookupError):
    """url_for() could not build a URL: no such endpoint, a value missing,
    or a value that does not fit its part of the URL. ``endpoint`` names
    the endpoint asked for."""

    def __init__(self, endpoint, message):
        super().__init__("url_for('%s'): %s" % (endpoint, message))
        self.endpoint = endpoint


def register_converter(type_name, to_url):
    """Teach url_for to write values of a custom URL type: ``to_url(value)``
    returns the text for the URL (``register_converter('hex', '%x'.__mod__)``
    for a ``hex`` type registered with ``URLPattern.register_type``)."""
    converters[type_name] = to_url


def _quote(text, keep_slash):
    out = None
    for i, byte in enumerate(text.encode()):
        c = chr(byte)
        if c in _SAFE or (keep_slash and c == '/'):
            if out is not None:
                out.append(c)
        else:
            if out is None:
                out = [text.encode()[:i].decode()]
            out.append('%' + _HEX[byte >> 4] + _HEX[byte & 15])
    return text if out is None else ''.join(out)


def _parts(url_pattern):
    """Split ``/users/<int:id>`` into ['/users/', ('id', 'int', spec)]."""
    parts = []
    rest = url_pattern
    while rest:
        start = rest.find('<')
        end = rest.find('>', start)
        if start < 0 or end < 0:
            parts.append(rest)
            break
        if start:
            parts.append(rest[:start])
        spec = rest[start + 1:end]
        if spec.startswith('re:'):
            name = spec.rpartition(':')[2]
            type_name = 're'
        else:
            type_name, _, name = spec.rpartition(':')
        parts.append((name, type_name or 'string', spec))
        rest = rest[end + 1:]
    return parts


def _text(endpoint, name, type_name, value):
    if value is None:
        raise BuildError(endpoint, "no value for '%s'" % name)
    if type_name == 'int':
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise BuildError(endpoint, "'%s' must be an int, not %r"
                             % (name, value))
        return str(value)
    convert = converters.get(type_name)
    if convert is not None:
        return convert(value)
    return value if isinstance(value, str) else str(value)


def _build(route, endpoint, values, used):
    """The path of ``route`` with ``values`` filled in; the names it used
    go into ``used``."""
    pattern = route.pattern
    out = []
    raw = []
    for part in _parts(pattern.url_pattern):
        if isinstance(part, str):
            out.append(part)
            raw.append(part)
            continue
        name, type_name, spec = part
        text = _text(endpoint, name, type_name, values.get(name))
        used.append(name)
        raw.append(text)
        out.append(_quote(text, type_name == 'path'))
    path = ''.join(raw)
    # the route itself says whether the values fit it (ints, re:, paths)
    if pattern.match(path) is None:
        bad = ', '.join('%s=%r' % (n, values.get(n)) for n in used)
        raise BuildError(endpoint, '%s do not fit %s' % (
            bad, pattern.url_pattern))
    return ''.join(out)


def _query(values, used):
    pairs = []
    for key in sorted(values):
        if key in used or key in _OPTIONS:
            continue
        value = values[key]
        if value is None:
            continue
        for item in value if isinstance(value, (list, tuple)) else (value,):
            pairs.append(urlencode(key) + '=' + urlencode(
                item if isinstance(item, str) else str(item)))
    return '&'.join(pairs)


def current_endpoint(request):
    """The endpoint of the route serving ``request`` (None outside one).

    ``request.route`` is the route's handler (as upstream Microdot has it),
    or a route object with an ``endpoint``."""
    route = getattr(request, 'route', None)
    if route is None:
        return None
    endpoint = getattr(route, 'endpoint', None)
    if endpoint is not None:
        return endpoint
    path = request.path
    for each in getattr(request.app, 'url_map', ()):
        if each.handler is route and each.pattern.match(path) is not None:
            return each.endpoint
    return None


def _relative(endpoint, request):
    """'.name' -> the endpoint 'name' in the request's own sub-app."""
    current = current_endpoint(request) if request is not None else None
    if not current or '.' not in current:
        return endpoint[1:]
    return current.rpartition('.')[0] + endpoint


def url_for(app, endpoint, values=None, request=None):
    """The URL of ``endpoint`` in ``app`` with ``values`` in it.

    ``values`` holds the route's dynamic parts by name (an int for
    ``<int:id>``; a ``<path:>`` value may contain '/'; an ``<re:...>``
    value must match the expression); other values, sorted by name, make
    the query string (a list or tuple value repeats the key; None values
    are left out). Options: ``_external=True`` makes
    an absolute URL from the request's scheme (or ``_scheme``) and Host
    header; ``_anchor`` appends ``#anchor``; ``_method`` picks the route
    for that HTTP method. An endpoint starting with '.' is looked up in the
    sub-app that serves ``request``. Raises :class:`BuildError` (a
    LookupError) naming the endpoint when the URL can not be built.
    """
    values = values or {}
    if endpoint.startswith('.'):
        endpoint = _relative(endpoint, request)
    method = values.get('_method')
    found = False
    error = None
    path = None
    used = []
    for route in app.url_map:
        if getattr(route, 'endpoint', None) != endpoint:
            continue
        if method is not None and method not in route.methods:
            continue
        found = True
        used = []
        try:
            path = _build(route, endpoint, values, used)
            break
        except BuildError as exc:
            error = error or exc  # try the endpoint's other routes first
    if not found:
        raise BuildError(endpoint, 'no such endpoint' + (
            ' for ' + method if method else ''))
    if path is None:
        raise error
    query = _query(values, used)
    if query:
        path += '?' + query
    anchor = values.get('_anchor')
    if anchor:
        path += '#' + _quote(str(anchor), True)
    if values.get('_external'):
        if request is None:
            raise BuildError(endpoint, '_external=True needs a request')
        host = request.headers.get('Host')
        if not host:
            raise BuildError(endpoint, 'the request has no Host header')
        path = (values.get('_scheme') or request.scheme) + '://' + host + \
            path
    return path
