"""Type stubs for microdot.csrf (see csrf.py)."""
from typing import Any, Callable, TypeVar

from .cors import CORS
from .microdot import Microdot
from .request import Request

_F = TypeVar("_F", bound=Callable[..., Any])

class CSRF:
    cors: CORS | None
    protect_all: bool
    allow_subdomains: bool
    exempt_routes: list[Callable[..., Any]]
    protected_routes: list[Callable[..., Any]]
    def __init__(
        self,
        app: Microdot | None = None,
        cors: CORS | None = None,
        protect_all: bool = True,
        allow_subdomains: bool = False,
    ) -> None: ...
    def initialize(self, app: Microdot, cors: CORS | None = None) -> None: ...
    def exempt(self, f: _F) -> _F: ...
    def protect(self, f: _F) -> _F: ...
    def allowed(self, request: Request) -> bool: ...
