"""Type stubs for microdot.httpsredirect (see httpsredirect.py)."""
from .middleware import Middleware, _Next
from .request import Request
from .response import Response

class HTTPSRedirect(Middleware):
    status_code: int
    https_port: int | None
    trust_proxy: bool
    def __init__(
        self, next_handler: _Next, status_code: int = 307, https_port: int | None = None, trust_proxy: bool = False
    ) -> None: ...
    def is_secure(self, request: Request) -> bool: ...
    def location(self, request: Request) -> str: ...
    async def __call__(self, request: Request) -> Response: ...
