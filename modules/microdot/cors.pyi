"""Type stubs for microdot.cors (see cors.py)."""
from typing import Literal, Sequence

from .microdot import Microdot
from .request import Request
from .response import Response

def normalize_origin(origin: str | None) -> str | None: ...

class CORS:
    allow_any: bool
    allowed_origins: Sequence[str] | Literal["*"] | None
    allow_credentials: bool
    allowed_methods: Sequence[str] | None
    expose_headers: Sequence[str] | None
    allowed_headers: Sequence[str] | None
    max_age: int | None
    def __init__(
        self,
        app: Microdot | None = None,
        allowed_origins: str | Sequence[str] | None = None,
        allow_credentials: bool = False,
        allowed_methods: Sequence[str] | None = None,
        expose_headers: Sequence[str] | None = None,
        allowed_headers: Sequence[str] | None = None,
        max_age: int | None = None,
        handle_cors: bool = True,
    ) -> None: ...
    def initialize(self, app: Microdot, handle_cors: bool = True) -> None: ...
    def origin_allowed(self, origin: str | None) -> bool: ...
    def get_cors_headers(self, request: Request) -> dict[str, str]: ...
    async def options_handler(self, request: Request) -> dict[str, str]: ...
