"""Type stubs for microdot.routing_regex (see routing_regex.py)."""
from .routing import URLPattern

def compile_regex(url: URLPattern, pattern: str) -> None: ...
