"""URL patterns: ``/users/<int:id>`` compiled once, matched per request."""
import re

_NO_ARGS = {}  # shared by static matches; never mutated
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


class URLPattern:
    """A route's URL pattern.

    Static patterns compare as strings; patterns with ``<type:name>``
    segments compile to one regular expression. Built-in types are
    ``string`` (the default, no ``/``), ``int``, ``path`` (may contain ``/``)
    and ``re:EXPR``; :meth:`register_type` adds more.
    """

    segment_patterns = {
        'string': '[^/]+',
        'int': '-?[0-9]+',
        'path': '.+',
    }
    segment_parsers = {'int': int}

    def __init__(self, url_pattern):
        self.url_pattern = url_pattern
        self.args = []  # (name, parser, group index) per dynamic segment
        self.regex = None
        if '<' in url_pattern:
            self._compile(url_pattern)

    def _compile(self, pattern):
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
            spec = rest[start + 1:end]
            rest = rest[end + 1:]
            if spec.startswith('re:'):
                expr, _, name = spec[3:].rpartition(':')
                if not expr or not name:
                    raise ValueError('bad re segment in URL pattern ' + pattern)
                parser = None
            else:
                type_name, _, name = spec.rpartition(':')
                type_name = type_name or 'string'
                if type_name not in self.segment_patterns and \
                        type_name not in self.segment_parsers:
                    raise ValueError('unknown URL segment type: ' + type_name)
                expr = self.segment_patterns.get(type_name, '[^/]+')
                parser = self.segment_parsers.get(type_name)
            self.args.append((name, parser, groups + 1))
            groups += 1 + _count_groups(expr)
            regex += '(' + expr + ')'
        self.regex = re.compile(regex + '$')

    def match(self, path):
        """Return the dict of URL arguments if ``path`` matches, else None."""
        if self.regex is None:
            return _NO_ARGS if path == self.url_pattern else None
        m = self.regex.match(path)
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

    def __repr__(self):
        return 'URLPattern(%r)' % self.url_pattern
