"""Type stubs for microdot.request_attrs (see request_attrs.py)."""
from typing import Any

from .request import Request

def compute(self: Request, name: str) -> Any: ...
def peer_address(writer: Any) -> tuple[Any, ...] | None: ...
