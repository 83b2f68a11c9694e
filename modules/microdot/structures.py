"""Small data structures and URL encoding helpers shared by the framework."""


_MISSING = object()


class NoCaseDict(dict):
    """A dictionary whose string keys are case-insensitive.

    Keys keep the case they were first stored with (so response headers go out
    as the application wrote them), but any case finds them::

        d = NoCaseDict({'Content-Type': 'text/plain'})
        d['content-type']  # 'text/plain'
    """

    def __init__(self, initial_dict=None):
        super().__init__()
        self.keymap = {}  # lower-case key -> stored key, where they differ
        if initial_dict:
            for key, value in initial_dict.items():
                self[key] = value

    def _key(self, key):
        # the exact key is tried first: no lower-case copy to allocate
        if super().get(key, _MISSING) is not _MISSING:
            return key
        kl = key.lower()
        return self.keymap.get(kl, kl)

    def __setitem__(self, key, value):
        kl = key.lower()
        stored = self.keymap.get(kl, kl)
        if stored != key and super().get(stored, _MISSING) is not _MISSING:
            key = stored
        elif kl != key:
            self.keymap[kl] = key
        super().__setitem__(key, value)

    def add(self, key, value, lower=None):
        """Set ``key``, or append ``, value`` if it is already set (the way
        repeated HTTP headers combine). ``lower`` is ``key.lower()`` if the
        caller has it already."""
        kl = lower or key.lower()
        stored = self.keymap.get(kl, kl)
        old = super().get(stored)
        if old is not None:
            super().__setitem__(stored, old + ', ' + value)
            return
        if kl != key:
            self.keymap[kl] = key
        super().__setitem__(key, value)

    def __getitem__(self, key):
        return super().__getitem__(self._key(key))

    def __delitem__(self, key):
        key = self._key(key)
        self.keymap.pop(key.lower(), None)
        super().__delitem__(key)

    def __contains__(self, key):
        return super().get(self._key(key), _MISSING) is not _MISSING

    def get(self, key, default=None):
        value = super().get(key, _MISSING)
        if value is _MISSING:
            kl = key.lower()
            value = super().get(self.keymap.get(kl, kl), default)
        return value

    def setdefault(self, key, default=None):
        if key not in self:
            self[key] = default
        return self[key]

    def pop(self, key, *default):
        key = self._key(key)
        self.keymap.pop(key.lower(), None)
        return super().pop(key, *default)

    def update(self, other_dict=(), **kwargs):
        items = other_dict.items() if hasattr(other_dict, 'items') \
            else other_dict
        for key, value in items:
            self[key] = value
        for key, value in kwargs.items():
            self[key] = value

    def copy(self):
        return NoCaseDict(self)


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
        if key in self:
            super().__getitem__(key).append(value)
        else:
            super().__setitem__(key, [value])

    def __getitem__(self, key):
        return super().__getitem__(key)[0]

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


def urldecode_bytes(data):
    """Decode a URL-encoded ``bytes`` value (``+`` is a space) to ``str``."""
    if b'%' not in data and b'+' not in data:
        return data.decode()
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
    return bytes(out).decode()


def urldecode_str(text):
    """Decode a URL-encoded ``str`` (``+`` is a space) to ``str``."""
    if '%' not in text and '+' not in text:
        return text
    return urldecode_bytes(text.encode())


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
