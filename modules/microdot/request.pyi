"""Type stubs for microdot.request (see request.py)."""
from typing import Any, Callable, ClassVar, Protocol, TypeVar

from .exceptions import HTTPException as HTTPException, ProtocolError as ProtocolError, abort as abort
from .microdot import Microdot
from .structures import NoCaseDict
from .urls import MultiDict

# request_attrs.compute once a lazy attribute was read (a cache)
compute: Callable[[Any, str], Any] | None

_F = TypeVar("_F", bound=Callable[..., Any])

class _BodyStream(Protocol):
    # request.stream: body.BodyStream, ChunkedStream or BytesStream on the
    # kit's server, the adapters' own under ASGI and WSGI
    async def read(self, n: int = -1) -> bytes: ...
    async def readexactly(self, n: int) -> bytes: ...
    async def readline(self) -> bytes: ...

def parse_head(head: bytes, max_line: int, max_headers: int) -> tuple[str, str, str, NoCaseDict]: ...

class Request:
    max_content_length: ClassVar[int]
    max_body_length: ClassVar[int]
    max_readline: ClassVar[int]
    max_headers: ClassVar[int]
    max_head_length: ClassVar[int]

    class G:
        # a free namespace: handlers store what they like on request.g
        def __getattr__(self, name: str, /) -> Any: ...
        def __setattr__(self, name: str, value: Any, /) -> None: ...

    app: Microdot
    method: str
    url: str
    path: str
    query_string: str
    http_version: str
    headers: NoCaseDict
    body: bytes
    sock: tuple[Any, Any] | None
    url_prefix: str
    subapp: Microdot | None
    scheme: str
    route: Callable[..., Any] | None
    # the lazily computed attributes (worked out on first use)
    client_addr: tuple[Any, ...] | None
    args: MultiDict
    cookies: dict[str, str]
    json: Any
    form: MultiDict | None
    files: dict[str, Any]
    stream: _BodyStream
    content_type: str | None
    content_length: int
    g: G
    vary: set[str]
    after_request_handlers: list[Callable[..., Any]]
    def __init__(
        self,
        app: Microdot,
        client_addr: tuple[Any, ...] | None,
        method: str,
        url: str,
        http_version: str,
        headers: NoCaseDict,
        body: bytes | None = None,
        stream: _BodyStream | None = None,
        sock: tuple[Any, Any] | None = None,
        url_prefix: str = "",
        subapp: Microdot | None = None,
        scheme: str | None = None,
        route: Callable[..., Any] | None = None,
    ) -> None: ...
    @staticmethod
    async def create(
        app: Microdot,
        client_reader: Any,
        client_writer: Any = None,
        client_addr: tuple[Any, ...] | None = None,
        scheme: str | None = None,
        sock: tuple[Any, Any] | None = None,
    ) -> Request | None: ...
    def url_for(self, endpoint: str, **values: Any) -> str: ...
    def after_request(self, f: _F) -> _F: ...
