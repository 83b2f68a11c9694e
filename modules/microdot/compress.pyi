"""Type stubs for microdot.compress (see compress.py)."""
from typing import Callable, Iterable, Literal, Protocol, overload

from .middleware import Middleware, _Next
from .request import Request
from .response import Response

class _Compressor(Protocol):
    # what zlib.compressobj() gives (and MicroPython's stand-in for it)
    def compress(self, data: bytes, /) -> bytes: ...
    def flush(self) -> bytes: ...

TEXT_TYPES: tuple[str, ...]

@overload
def gzip_compressor(
    level: int = 6, window_bits: int | None = None, streaming: Literal[False] = False
) -> Callable[[bytes], bytes] | None: ...
@overload
def gzip_compressor(
    level: int = 6, window_bits: int | None = None, *, streaming: Literal[True]
) -> Callable[[], _Compressor] | None: ...
@overload
def gzip_compressor(
    level: int, window_bits: int | None, streaming: Literal[True]
) -> Callable[[], _Compressor] | None: ...
def accepts_gzip(header: str | None) -> bool: ...

class GZip(Middleware):
    minimum_size: int
    content_types: tuple[str, ...]
    compress: Callable[[bytes], bytes] | None
    # the streaming compressor factory (None with streams=False)
    streams: Callable[[], _Compressor] | None
    def __init__(
        self,
        next_handler: _Next,
        minimum_size: int = 500,
        compresslevel: int = 6,
        window_bits: int | None = None,
        content_types: Iterable[str] = ...,
        streams: bool = True,
    ) -> None: ...
    def compressible(self, res: Response) -> bool: ...
    async def __call__(self, request: Request) -> Response: ...
