"""Regular expressions for URL patterns (loaded on the first pattern that
needs one): a whole pattern as one regex, for the rare patterns with text
around a dynamic part (``/files/<name>.txt``) or a regex that may span
segments, and the regex of a segment of a custom type."""
import re

from .routing_compile import segment_type

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


def segment_regex(expr):
    """The compiled regex for one segment of a custom type, or False when
    ``expr`` may match a '/' (the pattern then needs one regex)."""
    if '/' in expr.replace('[^/]', ''):
        return False
    return re.compile('^(' + expr + ')$')


def compile_regex(url, pattern):
    """Compile ``pattern`` into one regular expression for URLPattern ``url``
    (patterns with text around a dynamic part, or regexes that may span
    segments)."""
    regex = '^'
    groups = 0
    url.args = []
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
        name, expr, parser = segment_type(url, rest[start + 1:end], pattern)
        rest = rest[end + 1:]
        url.args.append((name, parser, groups + 1))
        groups += 1 + _count_groups(expr)
        regex += '(' + expr + ')'
    url.regex = re.compile(regex + '$')
