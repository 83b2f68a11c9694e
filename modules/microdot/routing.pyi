"""Type stubs for microdot.routing (see routing.py)."""
from typing import Any, Callable, ClassVar, Pattern, Sequence

from .microdot import Microdot, _MiddlewareEntry

class URLPattern:
    segment_patterns: ClassVar[dict[str, str]]
    segment_parsers: ClassVar[dict[str, Callable[[str], Any]]]
    url_pattern: str
    # compiled form, filled in by compile(): None for a static pattern
    segments: list[tuple[str, Any]] | None
    regex: Pattern[str] | None
    args: list[tuple[str, Callable[[str], Any] | None, int]] | tuple[()]
    def __init__(self, url_pattern: str) -> None: ...
    def compile(self) -> None: ...
    def match(self, path: str) -> dict[str, Any] | None: ...
    @classmethod
    def register_type(
        cls,
        type_name: str,
        pattern: str = ...,
        parser: Callable[[str], Any] | None = None,
    ) -> None: ...

class Route:
    methods: Sequence[str]
    pattern: URLPattern
    handler: Callable[..., Any]
    endpoint: str | None
    url_prefix: str
    subapp: Microdot | None
    chain: tuple[Microdot, ...]
    middleware: Sequence[_MiddlewareEntry]
    stack: Callable[..., Any] | None
    def __init__(
        self,
        methods: Sequence[str],
        pattern: URLPattern,
        handler: Callable[..., Any],
        endpoint: str | None,
        url_prefix: str = "",
        subapp: Microdot | None = None,
        chain: tuple[Microdot, ...] = (),
        middleware: Sequence[_MiddlewareEntry] = (),
    ) -> None: ...

def lookup(
    url_map: list[Route], method: str, path: str
) -> tuple[Route, dict[str, Any]] | tuple[None, list[str] | None]: ...
