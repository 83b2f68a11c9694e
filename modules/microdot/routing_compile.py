"""Compiling a URL pattern, on its first match (a board whose routes are
all static never loads this): into segments to compare one by one, the
form of nearly every dynamic route (``/users/<int:id>``). Patterns that
need one regular expression go on to :mod:`microdot.routing_regex`."""
from .routing import _int


def compile(url):
    """The body of :meth:`URLPattern.compile`."""
    pattern = url.url_pattern
    url.segments = None
    depth = 0
    for c in pattern:
        depth += 1 if c == '<' else -1 if c == '>' else 0
        if depth < 0 or depth > 1:
            break
    if depth:
        raise ValueError('malformed URL pattern: ' + pattern)
    if '<' in pattern and not _compile_segments(url, pattern):
        from .routing_regex import compile_regex
        compile_regex(url, pattern)


def segment_type(url, spec, pattern):
    """Return (name, regex, parser) for a ``<...>`` spec."""
    if spec.startswith('re:'):
        expr, _, name = spec[3:].rpartition(':')
        if not expr or not name:
            raise ValueError('bad re segment in URL pattern ' + pattern)
        return name, expr, None
    type_name, _, name = spec.rpartition(':')
    type_name = type_name or 'string'
    if type_name not in url.segment_patterns:
        raise ValueError('unknown URL segment type: ' + type_name)
    return name, url.segment_patterns[type_name], \
        url.segment_parsers.get(type_name)


def _compile_segments(url, pattern):
    pieces = pattern.split('/')
    segments = []
    for i, piece in enumerate(pieces):
        if '<' not in piece and '>' not in piece:
            segments.append((piece, None))
            continue
        if piece[0] != '<' or piece[-1] != '>' or piece.count('<') != 1:
            return False  # text around a dynamic part: use a regex
        name, expr, parser = segment_type(url, piece[1:-1], pattern)
        if expr == '.+':
            if i != len(pieces) - 1:
                return False
            expr = None  # "path": the rest of the URL
            rest = True
        else:
            rest = False
            if expr == '[^/]+' or parser is _int:
                expr = None
            elif '/' in expr.replace('[^/]', ''):
                return False  # may span segments: use a regex
            else:
                import re
                expr = re.compile('^(' + expr + ')$')
        segments.append((name, (expr, parser, rest)))
    url.segments = segments
    return True
