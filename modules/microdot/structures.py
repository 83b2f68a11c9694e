"""The case-insensitive dictionary behind request and response headers."""


_MISSING = object()

#: Lower-case header name -> the spelling first seen, shared by the request
#: headers that spell every name that way (clients send the same few names
#: on every request): such a dict holds no key map of its own (~160 bytes
#: less per request on MicroPython). A dict copies what it needs of it
#: before changing it. Filled by the request parser, bounded for small
#: boards.
shared_keymap = {}


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

    def _own_keymap(self):
        # before changing the key map: a copy of what is ours if it is shared
        keymap = self.keymap
        if keymap is shared_keymap:
            # a loop, not a comprehension: that would be one more function
            # on the heap (~150 bytes on MicroPython)
            self.keymap = keymap = {}
            for kl, key in shared_keymap.items():
                if kl != key and super().get(key, _MISSING) is not _MISSING:
                    keymap[kl] = key
        return keymap

    def _key(self, key):
        # the exact key is tried first: no lower-case copy to allocate
        if super().get(key, _MISSING) is not _MISSING:
            return key
        kl = key.lower()
        return self.keymap.get(kl, kl)

    def __setitem__(self, key, value):
        kl = key.lower()
        keymap = self.keymap
        if keymap is shared_keymap:
            keymap = self._own_keymap()
        stored = keymap.get(kl, kl)
        if stored != key and super().get(stored, _MISSING) is not _MISSING:
            key = stored
        elif kl != key:
            keymap[kl] = key
        super().__setitem__(key, value)

    def add(self, key, value, lower=None):
        """Set ``key``, or append ``, value`` if it is already set (the way
        repeated HTTP headers combine). ``lower`` is ``key.lower()`` if the
        caller has it already."""
        kl = lower or key.lower()
        keymap = self.keymap
        spelled = keymap.get(kl)  # one look-up per header: the parser's
        stored = spelled or kl
        old = super().get(stored)
        if old is not None:
            super().__setitem__(stored, old + ', ' + value)
            return
        if keymap is shared_keymap:
            if spelled == key:
                # spelled as the shared map has it: nothing to record, and
                # the key is the shared map's string (the caller's copy is
                # not held: 64 bytes per header on MicroPython)
                super().__setitem__(spelled, value)
                return
            keymap = self._own_keymap()
        if kl != key:
            keymap[kl] = key
        super().__setitem__(key, value)

    def __getitem__(self, key):
        return super().__getitem__(self._key(key))

    def __delitem__(self, key):
        key = self._key(key)
        self._own_keymap().pop(key.lower(), None)
        super().__delitem__(key)

    def __contains__(self, key):
        return super().get(self._key(key), _MISSING) is not _MISSING

    def get(self, key, default=None):
        value = super().get(key, _MISSING)
        if value is _MISSING:
            kl = key.lower()
            value = super().get(self.keymap.get(kl, kl), default)
        return value

    def get_lower(self, key, default=None):
        """``get()`` for a key the caller already has in lower case (no
        lower-case copy is made: the framework's own hot path uses this)."""
        return super().get(self.keymap.get(key, key), default)

    def setdefault(self, key, default=None):
        if key not in self:
            self[key] = default
        return self[key]

    def pop(self, key, *default):
        key = self._key(key)
        self._own_keymap().pop(key.lower(), None)
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
