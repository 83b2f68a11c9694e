"""A test copy of micropython-lib's ``hmac`` interface, for MicroPython
builds that lack it (the PyPI unix port). Written for this kit's tests; a
frozen micropython-lib ``hmac`` is used instead when the image has one.

``new(key, msg=None, digestmod=None)`` returns an object with
``update()``, ``digest()`` and ``hexdigest()`` (RFC 2104).
"""
import hashlib


class HMAC:
    def __init__(self, key, msg=None, digestmod=None):
        if not isinstance(key, (bytes, bytearray)):
            raise TypeError('key: expected bytes/bytearray')
        if digestmod is None:
            digestmod = hashlib.sha256
        elif isinstance(digestmod, str):
            digestmod = getattr(hashlib, digestmod)
        self._make = digestmod
        block = 64  # md5, sha1 and sha256
        if len(key) > block:
            key = digestmod(key).digest()
        key = bytes(key) + bytes(block - len(key))
        self._outer_key = bytes(b ^ 0x5C for b in key)
        self._inner = digestmod(bytes(b ^ 0x36 for b in key))
        if msg is not None:
            self._inner.update(msg)

    def update(self, msg):
        self._inner.update(msg)

    def digest(self):
        # MicroPython's hashes can not be copied: digest() finalises
        outer = self._make(self._outer_key)
        outer.update(self._inner.digest())
        return outer.digest()

    def hexdigest(self):
        import binascii
        return binascii.hexlify(self.digest()).decode()


def new(key, msg=None, digestmod=None):
    return HMAC(key, msg, digestmod)
