"""Compiling a URL pattern, on its first match (a board whose routes are
all static never loads this): into segments to compare one by one, the
form of nearly every dynamic route (``/users/<int:id>``). Patterns that
need a regular expression go on to :mod:`microdot.routing_regex`."""
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
    if '<' not in pattern:
        return
    pieces = pattern.split('/')
    segments = []
    for i, piece in enumerate(pieces):
        if '<' not in piece and '>' not in piece:
            segments.append((piece, None))
            continue
        whole = piece[0] == '<' and piece[-1] == '>' and \
            piece.count('<') == 1
        if whole:
            name, expr, parser = segment_type(url, piece[1:-1], pattern)
            rest = expr == '.+'  # "path": the rest of the URL
            if rest:
                expr = None if i == len(pieces) - 1 else False
            elif expr == '[^/]+' or parser is _int:
                expr = None
            else:
                from .routing_regex import segment_regex
                expr = segment_regex(expr)  # False if it may span segments
        if not whole or expr is False:
            # text around a dynamic part, or a regex that may span
            # segments: one regex for the whole pattern
            from .routing_regex import compile_regex
            compile_regex(url, pattern)
            return
        segments.append((name, (expr, parser, rest)))
    url.segments = segments


def segment_type(url, text, pattern):
    """Return (name, regex, parser) for the ``text`` of a ``<...>``."""
    if text.startswith('re:'):
        expr, _, name = text[3:].rpartition(':')
        if not expr or not name:
            raise ValueError('bad re segment in URL pattern ' + pattern)
        return name, expr, None
    type_name, _, name = text.rpartition(':')
    type_name = type_name or 'string'
    if type_name not in url.segment_patterns:
        raise ValueError('unknown URL segment type: ' + type_name)
    return name, url.segment_patterns[type_name], \
        url.segment_parsers.get(type_name)
