"""Query strings and form bodies: MultiDict and URL encoding.

Imported on first use (``request.args``, ``request.form``, a path with
``%`` escapes), so apps that never need them do not pay for them in RAM.
"""


class _Values(list):
    """The values of a key set more than once (one value is stored bare:
    a list per key would cost a board's heap ~64 bytes a field)."""


_MISSING = object()


class MultiDict(dict):
    """A dictionary that can hold several values per key.

    Assigning to a key adds a value; reading a key gives its first value.
    Used for query string arguments and form fields::

        args = MultiDict()
        args['tag'] = 'a'
        args['tag'] = 'b'
        args['tag']             # 'a'
        args.getlist('tag')     # ['a', 'b']
        args.get('n', type=int) # None, or the first value as an int
    """

    def __init__(self, initial_dict=None):
        super().__init__()
        if initial_dict:
            for key, value in initial_dict.items():
                self[key] = value

    def __setitem__(self, key, value):
        old = super().get(key, _MISSING)
        if old is _MISSING:
            super().__setitem__(key, value)
        elif type(old) is _Values:
            old.append(value)
        else:
            super().__setitem__(key, _Values((old, value)))

    def __getitem__(self, key):
        value = super().__getitem__(key)
        return value[0] if type(value) is _Values else value

    def get(self, key, default=None, type=None):
        """Return the first value of ``key`` or ``default``.

        With ``type``, the value is converted by calling ``type(value)``; a
        value that does not convert (ValueError) gives ``default``.
        """
        if key not in self:
            return default
        value = self[key]
        if type is not None:
            try:
                value = type(value)
            except ValueError:
                return default
        return value

    def getlist(self, key, type=None):
        """Return every value of ``key`` as a list (empty if missing)."""
        if key not in self:
            return []
        values = super().__getitem__(key)
        if not isinstance(values, _Values):
            values = (values,)
        if type is None:
            return list(values)
        result = []
        for value in values:
            try:
                result.append(type(value))
            except ValueError:
                pass
        return result

    def items(self):
        """Pairs of key and first value, like a plain dict."""
        return [(key, self[key]) for key in self]

    def values(self):
        return [self[key] for key in self]


_HEX = '0123456789ABCDEF'
_HEXB = b'0123456789abcdefABCDEF'
_SAFE = b'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~'


def urldecode_bytes(data, plus=True):
    """Decode a URL-encoded ``bytes`` value to ``str``.

    ``+`` means a space in query strings and forms; pass ``plus=False`` for
    a URL path, where it is a plain ``+``.
    """
    if b'%' not in data and (not plus or b'+' not in data):
        return data.decode()
    if plus:
        data = data.replace(b'+', b' ')
    parts = data.split(b'%')
    out = bytearray(parts[0])
    for part in parts[1:]:
        code = part[:2]
        if len(code) == 2 and code[0] in _HEXB and code[1] in _HEXB:
            out.append(int(code, 16))
            out.extend(part[2:])
        else:
            out.extend(b'%')
            out.extend(part)
    data = bytes(out)
    if _LAX_UTF8:
        check_utf8(data)
    return data.decode()


# MicroPython's bytes.decode() takes overlong forms and surrogates that
# CPython refuses: check ourselves there, so both runtimes agree
_LAX_UTF8 = True
try:
    b'\xc0\xaf'.decode()
except UnicodeError:
    _LAX_UTF8 = False


def check_utf8(data):
    """Raise UnicodeError unless ``data`` is well-formed UTF-8 (RFC 3629:
    no overlong forms, no surrogates, nothing past U+10FFFF)."""
    i = 0
    n = len(data)
    while i < n:
        c = data[i]
        if c < 0x80:
            i += 1
            continue
        if 0xc2 <= c <= 0xdf:
            need, low, high = 1, 0x80, 0xbf
        elif 0xe0 <= c <= 0xef:
            need = 2
            low = 0xa0 if c == 0xe0 else 0x80
            high = 0x9f if c == 0xed else 0xbf
        elif 0xf0 <= c <= 0xf4:
            need = 3
            low = 0x90 if c == 0xf0 else 0x80
            high = 0x8f if c == 0xf4 else 0xbf
        else:
            raise UnicodeError('invalid UTF-8')
        if i + need >= n:
            raise UnicodeError('truncated UTF-8')
        if not low <= data[i + 1] <= high:
            raise UnicodeError('invalid UTF-8')
        for k in range(i + 2, i + need + 1):
            if not 0x80 <= data[k] <= 0xbf:
                raise UnicodeError('invalid UTF-8')
        i += need + 1


def urldecode_str(text, plus=True):
    """Decode a URL-encoded ``str`` (``+`` is a space unless ``plus`` is
    False) to ``str``."""
    if '%' not in text and (not plus or '+' not in text):
        return text
    return urldecode_bytes(text.encode(), plus)


def urlencode(text):
    """Percent-encode ``text`` for use in a URL query (spaces become ``+``)."""
    out = []
    for byte in text.encode():
        if byte in _SAFE:
            out.append(chr(byte))
        elif byte == 32:
            out.append('+')
        else:
            out.append('%' + _HEX[byte >> 4] + _HEX[byte & 15])
    return ''.join(out)


def parse_urlencoded(text, into=None):
    """Parse ``a=1&b=2`` into a :class:`MultiDict` (``into`` if given)."""
    result = MultiDict() if into is None else into
    if text:
        for pair in text.split('&'):
            if not pair:
                continue
            key, _, value = pair.partition('=')
            result[urldecode_str(key)] = urldecode_str(value)
    return result
