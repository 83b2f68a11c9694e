"""URL patterns: ``/users/<int:id>`` compiled once, matched per request."""
_NO_ARGS = {}  # shared by static matches; never mutated


def _int(value):
    digits = value[1:] if value[0] == '-' else value
    # ASCII digits only: CPython's int() also reads other scripts' digits
    return int(value) if digits and not digits.strip('0123456789') \
        else None


class URLPattern:
    """A route's URL pattern.

    Static patterns compare as strings. A pattern whose dynamic parts each
    fill a whole path segment (``/users/<int:id>/<name>``) is matched
    segment by segment, which is fast and needs no deep recursion in
    MicroPython's small regular expression engine; other patterns compile
    to one regular expression. Built-in types are ``string`` (the default,
    no ``/``), ``int``, ``path`` (the rest of the URL, may contain ``/``)
    and ``re:EXPR``; :meth:`register_type` adds more.
    """

    segment_patterns = {'string': '[^/]+', 'int': '-?[0-9]+', 'path': '.+'}
    segment_parsers = {'int': _int}

    def __init__(self, url_pattern):
        self.url_pattern = url_pattern
        # [(literal, None) or (name, checker)]; compiled on first match
        # False: not compiled yet; None: static, or compiled to a regex
        if '<' in url_pattern or '>' in url_pattern:
            self.segments = False

    # what a static pattern keeps: class defaults, no instance attribute
    # (an instance's attribute table grows with each one set: 16 bytes a
    # slot on a 64-bit port, per route)
    segments = None
    regex = None
    args = ()  # regex form: [(name, parser, group index)]

    def compile(self):
        """Compile the pattern (done on first match). Raises ValueError
        for a malformed pattern or an unknown segment type."""
        from .routing_compile import compile
        compile(self)

    def match(self, path):
        """Return the dict of URL arguments if ``path`` matches, else None."""
        segments = self.segments
        if segments is False:
            self.compile()
            segments = self.segments
        if segments is not None:
            parts = path.split('/')
            n = len(segments)
            if len(parts) != n and (len(parts) < n or
                                    not segments[-1][1] or
                                    not segments[-1][1][2]):
                return None
            values = {}
            for i in range(n):
                name, check = segments[i]
                part = parts[i]
                if check is None:
                    if part != name:
                        return None
                    continue
                expr, parser, rest = check
                if rest:
                    part = '/'.join(parts[i:])
                try:
                    if not part or (expr is not None and
                                    expr.match(part) is None):
                        return None
                except RuntimeError:  # MicroPython's re ran out of stack
                    return None
                if parser is not None:
                    # the segment's value through its type's parser; None
                    # (or ValueError) rejects it
                    try:
                        part = parser(part)
                    except ValueError:
                        return None
                    if part is None:
                        return None
                values[name] = part
            return values
        if self.regex is None:
            return _NO_ARGS if path == self.url_pattern else None
        try:
            m = self.regex.match(path)
        except RuntimeError:  # MicroPython's re ran out of stack
            return None
        if m is None:
            return None
        values = {}
        for name, parser, group in self.args:
            value = m.group(group)
            if parser is not None:
                try:
                    value = parser(value)
                except ValueError:
                    return None
                if value is None:
                    return None
            values[name] = value
        return values

    @classmethod
    def register_type(cls, type_name, pattern='[^/]+', parser=None):
        """Add a URL segment type usable as ``<type_name:arg>``.

        ``pattern`` is the regular expression a segment must match; ``parser``
        converts the matched text, and may return None to reject it.
        """
        cls.segment_patterns[type_name] = pattern
        if parser is None:
            cls.segment_parsers.pop(type_name, None)
        else:
            cls.segment_parsers[type_name] = parser


class Route:
    """One entry of ``app.url_map``.

    ``methods`` (the HTTP methods: a list, or a tuple such as
    ``('GET',)``), ``pattern`` (:class:`URLPattern`),
    ``handler``, ``endpoint`` (the name :meth:`Microdot.url_for` knows it
    by), ``url_prefix`` and ``subapp`` (for routes of a mounted app),
    ``chain`` (the apps whose hooks and error handlers apply, outermost
    first) and ``middleware`` (mount- and route-level middleware, outer to
    inner).
    """

    def __init__(self, methods, pattern, handler, endpoint, url_prefix='',
                 subapp=None, chain=(), middleware=()):
        self.methods = methods
        self.pattern = pattern
        self.handler = handler
        self.endpoint = endpoint
        self.chain = chain
        # what most routes leave at the class defaults below is only set
        # when it differs (48 bytes less per route on a 64-bit port)
        if url_prefix:
            self.url_prefix = url_prefix
        if subapp is not None:
            self.subapp = subapp
        if middleware:
            self.middleware = middleware

    url_prefix = ''
    subapp = None
    middleware = ()
    stack = None  # the middleware stack, built on first use


def lookup(url_map, method, path):
    """Find the route for a request: data, not exceptions.

    Returns ``(route, url_args)``, or ``(None, allowed)`` where ``allowed``
    lists the methods routes accept for ``path`` (``'OPTIONS *'`` asks for
    every method served) or is None when no route has the path (404).
    """
    head = method == 'HEAD'
    for route in url_map:
        if method in route.methods or (head and 'GET' in route.methods):
            args = route.pattern.match(path)
            if args is not None:
                return route, args
    allowed = []
    everything = path == '*' and method == 'OPTIONS'
    for route in url_map:
        if everything or route.pattern.match(path) is not None:
            for m in route.methods:
                if m not in allowed:
                    allowed.append(m)
    if not allowed:
        return None, None
    if 'GET' in allowed:
        allowed.append('HEAD')
    allowed.append('OPTIONS')
    return None, allowed
