"""Type stubs for microdot.asgi (see asgi.py)."""
from ssl import SSLContext
from typing import Any, Awaitable, Callable, ClassVar, MutableMapping, Sequence, TypeVar

from . import microdot as _core
from .request import Request

_Scope = MutableMapping[str, Any]
_Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
_Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
_App = TypeVar("_App", bound=_core.Microdot)

class Microdot(_core.Microdot):
    lifespan_startup: Callable[..., Any] | None
    lifespan_shutdown: Callable[..., Any] | None
    def __init__(
        self,
        lifespan_startup: Callable[..., Any] | None = None,
        lifespan_shutdown: Callable[..., Any] | None = None,
        *,
        middleware: Sequence[_core._MiddlewareEntry] | None = None,
    ) -> None: ...
    async def __call__(self, scope: _Scope, receive: _Receive, send: _Send) -> None: ...
    async def accept_websocket(self, request: Request, subprotocols: str | Sequence[str] | None = None) -> WebSocket: ...
    def run(
        self, host: str = "0.0.0.0", port: int = 5000, debug: bool = False, ssl: SSLContext | None = None, **kwargs: Any
    ) -> None: ...

class WebSocket:
    TEXT: ClassVar[int]
    BINARY: ClassVar[int]
    CLOSE: ClassVar[int]
    PING: ClassVar[int]
    PONG: ClassVar[int]
    request: Request
    conn: Any
    subprotocol: str | None
    closed: bool
    close_code: int | None
    close_reason: str | None
    def __init__(self, request: Request, conn: Any, subprotocol: str | None) -> None: ...
    async def receive(self) -> str | bytes: ...
    async def send(self, data: str | bytes, opcode: int | None = None) -> None: ...
    async def close(self, code: int = 1000, reason: str = "") -> None: ...

def asgi_app(app: _App) -> _App: ...
