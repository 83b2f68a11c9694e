"""Type stubs for microdot.websocket (see websocket.py)."""
import asyncio
from typing import Any, Callable, ClassVar, Sequence, overload

from .request import Request
from .response import Response

CancelledError = asyncio.CancelledError

class WebSocketError(Exception):
    code: int
    reason: str
    def __init__(self, code: int | str = 1006, reason: str = "") -> None: ...

# XOR ``buf`` in place with the 4-byte ``mask`` (the fastest way the
# runtime has: viper on MicroPython, a big-integer XOR on CPython)
def unmask(buf: bytearray, mask: bytes) -> None: ...
def decode_utf8(data: bytes | bytearray) -> str: ...
def sha1_python(data: bytes | bytearray) -> bytes: ...

class WebSocket:
    CONT: ClassVar[int]
    TEXT: ClassVar[int]
    BINARY: ClassVar[int]
    CLOSE: ClassVar[int]
    PING: ClassVar[int]
    PONG: ClassVar[int]
    max_message_length: ClassVar[int]
    join_limit: ClassVar[int]
    request: Request
    subprotocol: str | None
    closed: bool
    close_code: int | None
    def __init__(self, request: Request) -> None: ...
    async def receive(self) -> str | bytes: ...
    async def send(self, data: str | bytes, opcode: int | None = None) -> None: ...
    async def close(self, code: int = 1000, reason: str = "") -> None: ...
    def abort(self) -> None: ...
    def on_close(self, callback: Callable[[WebSocket], Any]) -> None: ...

async def websocket_upgrade(request: Request, subprotocols: Sequence[str] | None = None) -> WebSocket: ...

class _Handler:
    f: Callable[..., Any]
    subprotocols: Sequence[str] | None
    ping_interval: float | None
    ping_timeout: float | None
    def __init__(
        self,
        f: Callable[..., Any],
        subprotocols: Sequence[str] | None,
        ping_interval: float | None,
        ping_timeout: float | None,
    ) -> None: ...
    async def __call__(self, request: Request, *args: Any, **kwargs: Any) -> Response: ...

@overload
def with_websocket(
    f: Callable[..., Any],
    subprotocols: Sequence[str] | None = None,
    ping_interval: float | None = None,
    ping_timeout: float | None = None,
) -> _Handler: ...
@overload
def with_websocket(
    f: None = None,
    subprotocols: Sequence[str] | None = None,
    ping_interval: float | None = None,
    ping_timeout: float | None = None,
) -> Callable[[Callable[..., Any]], _Handler]: ...
