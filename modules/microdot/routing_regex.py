"""Compiling a URL pattern, on its first match (a board whose routes are
all static never loads this): into segments to compare one by one, or
into one regular expression."""
import re

from .routing import _int

_SPECIAL = '\\.^$*+?{}[]|()'


def _escape(text):
    return ''.join('\\' + c if c in _SPECIAL else c for c in text)


def _count_groups(regex):
    """Count capturing groups in ``regex`` (MicroPython's re cannot tell)."""
    count = 0
    i = 0
    while i < len(regex):
        c = regex[i]
        if c == '\\':
            i += 1
        elif c == '(' and regex[i + 1:i + 2] != '?':
            count += 1
        i += 1
    return count


def compile_regex(url, pattern):
    """Compile ``pattern`` into one regular expression for URLPattern ``url``
    (patterns with text around a dynamic part, or regexes that may span
    segments)."""
    regex = '^'
    groups = 0
    rest = pattern
    while rest:
        start = rest.find('<')
        if start < 0:
            regex += _escape(rest)
            break
        end = rest.find('>', start)
        if end < 0:
            raise ValueError('unterminated "<" in URL pattern ' + pattern)
        regex += _escape(rest[:start])
        name, expr, parser = _segment_type(url, rest[start + 1:end],
                                           pattern)
        rest = rest[end + 1:]
        url.args.append((name, parser, groups + 1))
        groups += 1 + _count_groups(expr)
        regex += '(' + expr + ')'
    url.regex = re.compile(regex + '$')


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
        compile_regex(url, pattern)


def _segment_type(url, spec, pattern):
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
        name, expr, parser = _segment_type(url, piece[1:-1], pattern)
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
                expr = re.compile('^(' + expr + ')$')
        segments.append((name, (expr, parser, rest)))
    url.segments = segments
    return True
