"""Type stubs for microdot.sse (see sse.py)."""
import asyncio
from typing import Any, Callable, ClassVar, overload

from .request import Request
from .response import Response

CancelledError = asyncio.CancelledError

def format_event(
    data: Any, event: str | None = None, event_id: Any = None, retry: float | None = None, comment: bool = False
) -> bytes: ...

class SSE:
    keepalive: ClassVar[float | None]
    is_sse: ClassVar[bool]
    closed: bool
    def __init__(self) -> None: ...
    async def send(
        self, data: Any, event: str | None = None, event_id: Any = None, retry: float | None = None, comment: bool = False
    ) -> None: ...
    def on_close(self, callback: Callable[[SSE], Any]) -> None: ...
    def abort(self) -> None: ...

def sse_response(request: Request, event_function: Callable[..., Any], *args: Any, **kwargs: Any) -> Response: ...

class _Handler:
    f: Callable[..., Any]
    keepalive: float | None
    def __init__(self, f: Callable[..., Any], keepalive: float | None) -> None: ...
    async def __call__(self, request: Request, *args: Any, **kwargs: Any) -> Response: ...

@overload
def with_sse(f: Callable[..., Any], keepalive: float | None = None) -> _Handler: ...
@overload
def with_sse(f: None = None, keepalive: float | None = None) -> Callable[[Callable[..., Any]], _Handler]: ...
