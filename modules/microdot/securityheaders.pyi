"""Type stubs for microdot.securityheaders (see securityheaders.py)."""
from typing import Mapping, Sequence

from .middleware import Middleware, _Next
from .request import Request
from .response import Response

class SecurityHeaders(Middleware):
    hsts: str | None
    hsts_always: bool
    items: list[tuple[str, str]]
    def __init__(
        self,
        next_handler: _Next,
        hsts_max_age: int | None = 31536000,
        hsts_include_subdomains: bool = True,
        hsts_preload: bool = False,
        hsts_always: bool = False,
        content_security_policy: str | Mapping[str, str | Sequence[str]] | None = "default-src 'self'",
        content_type_options: str | None = "nosniff",
        referrer_policy: str | None = "strict-origin-when-cross-origin",
        frame_options: str | None = "DENY",
        headers: Mapping[str, str] | None = None,
    ) -> None: ...
    async def __call__(self, request: Request) -> Response: ...
