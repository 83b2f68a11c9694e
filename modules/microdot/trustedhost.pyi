"""Type stubs for microdot.trustedhost (see trustedhost.py)."""
from typing import Iterable

from .middleware import Middleware, _Next
from .request import Request
from .response import Response

class TrustedHost(Middleware):
    exact: set[str]
    suffixes: list[str]
    any: bool
    def __init__(self, next_handler: _Next, allowed_hosts: str | Iterable[str] = ("*",)) -> None: ...
    def allowed(self, host: str) -> bool: ...
    async def __call__(self, request: Request) -> Response: ...
