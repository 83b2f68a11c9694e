"""Shared by the session/auth/login/CORS/CSRF tests.

``ensure_jwt()`` makes ``import jwt`` work everywhere the suite runs: PyJWT
on CPython, micropython-lib's ``jwt`` and ``hmac`` where an image freezes
them, else the test copies in tests/lib/mplib (put last on sys.path, so a
real library always wins).
"""
import sys

SECRET = 'test-secret-key-0123456789abcdef-0123456789'  # >= 32 bytes
OTHER_SECRET = 'another-secret-key-0123456789abcdef-012345'


def ensure_jwt():
    try:
        import jwt  # noqa: F401
        return
    except ImportError:
        pass
    here = __file__.rpartition('/')[0] or '.'
    sys.path.append(here + '/lib/mplib')
    try:
        import hashlib
        hashlib.sha256
        import jwt  # noqa: F401
    except (ImportError, AttributeError) as exc:
        import unittest
        raise unittest.SkipTest('no jwt here, and no SHA-256 for the test '
                                'copy: %s' % exc)


def b64url(data):
    import binascii
    if isinstance(data, str):
        data = data.encode()
    return binascii.b2a_base64(data).rstrip(b'\n').rstrip(b'=').replace(
        b'+', b'-').replace(b'/', b'_').decode()


def forge(header, payload, key=SECRET, signature=None):
    """A JWT with any header and payload text, signed with ``key`` (HS256)
    unless ``signature`` is given: for building hostile tokens."""
    import hashlib
    ensure_jwt()
    import hmac
    if not isinstance(header, str):
        import json
        header = json.dumps(header)
    if not isinstance(payload, str):
        import json
        payload = json.dumps(payload)
    signed = b64url(header) + '.' + b64url(payload)
    if signature is None:
        k = key.encode() if isinstance(key, str) else key
        signature = b64url(hmac.new(k, signed.encode(),
                                    hashlib.sha256).digest())
    return signed + '.' + signature


def cookie_value(res, name):
    """The value a response sets for cookie ``name`` ('' when it deletes
    it), or None when it does not set it."""
    from support import find_cookie
    found = find_cookie(res.headers, name)
    return None if found is None else found[1]


def vary(res):
    """The names in a response's Vary header, lower-cased."""
    value = res.headers.get('Vary') or ''
    if isinstance(value, list):
        value = ', '.join(value)
    return [v.strip().lower() for v in value.split(',') if v.strip()]
