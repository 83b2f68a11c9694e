"""Type stubs for microdot.routing_regex (see routing_regex.py)."""
from typing import Any

from .routing import URLPattern

def segment_regex(expr: str) -> Any: ...
def compile_regex(url: URLPattern, pattern: str) -> None: ...
