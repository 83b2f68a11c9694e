"""A test copy of micropython-lib's ``jwt`` (pyjwt) interface, for
MicroPython builds that lack it (the PyPI unix port). Written for this
kit's tests; a frozen micropython-lib ``jwt`` is used instead when the
image has one.

HS256 only: ``encode(payload, key, algorithm='HS256')`` returns a str,
``decode(token, key, algorithms=['HS256'])`` the payload, checking the
signature and ``exp``. Like the real module it raises its own errors for
what it checks and lets KeyError/TypeError out for odd but well-encoded
tokens (a header without ``alg``, a header that is not a JSON object), so
the tests meet what a board meets.
"""
import binascii
import hashlib
import json
from time import time

import hmac


class exceptions:
    class PyJWTError(Exception):
        pass

    class InvalidTokenError(PyJWTError):
        pass

    class InvalidAlgorithmError(PyJWTError):
        pass

    class InvalidSignatureError(PyJWTError):
        pass

    class ExpiredSignatureError(PyJWTError):
        pass


def _b64(data):
    text = binascii.b2a_base64(data).rstrip(b'\n').rstrip(b'=')
    return text.replace(b'+', b'-').replace(b'/', b'_')


def _unb64(data):
    data = data.replace(b'-', b'+').replace(b'_', b'/')
    return binascii.a2b_base64(data + b'=' * (-len(data) % 4))


def _sign(key, data):
    if isinstance(key, str):
        key = key.encode()
    return hmac.new(key, data, hashlib.sha256).digest()


def encode(payload, key, algorithm='HS256'):
    if algorithm != 'HS256':
        raise exceptions.InvalidAlgorithmError
    head = _b64(json.dumps({'typ': 'JWT', 'alg': algorithm}).encode())
    body = _b64(json.dumps(payload).encode())
    signed = head + b'.' + body
    return (signed + b'.' + _b64(_sign(key, signed))).decode()


def decode(token, key, algorithms=['HS256']):
    if 'HS256' not in algorithms:
        raise exceptions.InvalidAlgorithmError
    parts = token.encode().split(b'.')
    if len(parts) != 3:
        raise exceptions.InvalidTokenError
    try:
        header = json.loads(_unb64(parts[0]))
        payload = json.loads(_unb64(parts[1]))
        signature = _unb64(parts[2])
    except Exception:
        raise exceptions.InvalidTokenError
    alg = header['alg']  # KeyError / TypeError, as in the real module
    if alg not in algorithms or alg != 'HS256':
        raise exceptions.InvalidAlgorithmError
    if signature != _sign(key, parts[0] + b'.' + parts[1]):
        raise exceptions.InvalidSignatureError
    if 'exp' in payload and time() > payload['exp']:
        raise exceptions.ExpiredSignatureError
    return payload
