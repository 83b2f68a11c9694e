"""Type stubs for microdot.streaming (see streaming.py)."""
from typing import Any

from .connection import Connection
from .response import Response

# carries Response.body_iter() (declared in response.pyi)
class StreamingMethods: ...

class BodyIterator:
    body: Any
    size: int
    it: Any
    def __init__(self, body: Any, size: int) -> None: ...
    def __aiter__(self) -> BodyIterator: ...
    async def __anext__(self) -> bytes: ...
    def immediate(self) -> bool: ...
    async def aclose(self) -> None: ...

async def write_streamed(response: Response, stream: Any, version: str, conn: Connection | None) -> None: ...
def guess_type(cls: type[Response], filename: str) -> str: ...
def send_file(
    cls: type[Response],
    filename: str,
    status_code: int,
    content_type: str | None,
    stream: Any,
    max_age: int | None,
    compressed: bool | str,
    file_extension: str,
) -> Response: ...
