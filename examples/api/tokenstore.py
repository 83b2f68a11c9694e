"""API tokens with an expiry, kept in a small JSON file on flash.

The Flask API tutorial's token flow: a client trades its username and
password (Basic auth) for a token, sends the token on later requests
(``Authorization: Bearer <token>``) and revokes it when done. The file is
written only when a token is issued or revoked, not on every request:
flash wears out, and a write takes a while on a board.
"""
import binascii
import json
import os
import time


def _now():
    # seconds; a board without a set clock counts from power-up, so a
    # token outlives a reboot by at most its expiry (a port without an RTC,
    # as the QEMU board, has only the tick counter)
    if hasattr(time, 'time'):
        return int(time.time())
    return time.ticks_ms() // 1000


def _new_token():
    try:
        raw = os.urandom(24)
    except (AttributeError, NotImplementedError):  # a port with no urandom
        import random
        raw = bytes(random.getrandbits(8) for _ in range(24))
    # URL-safe base64 without padding: 32 characters
    return binascii.b2a_base64(raw).decode().strip().replace(
        '+', '-').replace('/', '_').rstrip('=')


class TokenStore:
    """Tokens by value: ``{token: {"user": name, "expires": seconds}}``."""

    #: Most tokens kept at once (the oldest go first): a bound on RAM/flash.
    max_tokens = 16

    def __init__(self, path='tokens.json'):
        self.path = path
        self.tokens = {}
        try:
            with open(path) as f:
                data = json.load(f)
            if isinstance(data, dict):
                self.tokens = data
        except (OSError, ValueError):
            pass  # no file yet, or a damaged one: start empty

    def _save(self):
        now = _now()
        for token in [t for t, v in self.tokens.items()
                      if v['expires'] <= now]:
            del self.tokens[token]
        while len(self.tokens) > self.max_tokens:
            oldest = min(self.tokens, key=lambda t: self.tokens[t]['expires'])
            del self.tokens[oldest]
        tmp = self.path + '.tmp'
        with open(tmp, 'w') as f:
            json.dump(self.tokens, f)
        os.rename(tmp, self.path)  # a power cut leaves the old file whole

    def issue(self, user, expires_in=3600):
        """A token for ``user``: the current one while it has more than a
        minute left (as the tutorial does), else a new one. Returns
        ``(token, expires)``."""
        now = _now()
        for token, entry in self.tokens.items():
            if entry['user'] == user and entry['expires'] > now + 60:
                return token, entry['expires']
        token = _new_token()
        self.tokens[token] = {'user': user, 'expires': now + expires_in}
        self._save()
        return token, now + expires_in

    def check(self, token):
        """The user of a valid, unexpired token, else None."""
        entry = self.tokens.get(token)
        if entry is None or entry['expires'] <= _now():
            return None
        return entry['user']

    def revoke(self, token):
        """Forget ``token`` (later requests with it get a 401)."""
        if self.tokens.pop(token, None) is not None:
            self._save()
