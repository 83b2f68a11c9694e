"""Type stubs for microdot.routing_compile (see routing_compile.py)."""
from typing import Any, Callable

from .routing import URLPattern

def compile(url: URLPattern) -> None: ...
def segment_type(
    url: URLPattern, text: str, pattern: str
) -> tuple[str, str, Callable[[str], Any] | None]: ...
