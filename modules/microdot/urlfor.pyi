"""Type stubs for microdot.urlfor (see urlfor.py)."""
from typing import Any, Callable, Mapping

from .microdot import Microdot
from .request import Request

converters: dict[str, Callable[[Any], str]]

class BuildError(LookupError):
    endpoint: str
    def __init__(self, endpoint: str, message: str) -> None: ...

def register_converter(type_name: str, to_url: Callable[[Any], str]) -> None: ...
def current_endpoint(request: Request) -> str | None: ...
def url_for(
    app: Microdot, endpoint: str, values: Mapping[str, Any] | None = None, request: Request | None = None
) -> str: ...
