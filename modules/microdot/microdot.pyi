"""Type stubs for microdot.microdot (see microdot.py)."""
import asyncio
from ssl import SSLContext
from typing import Any, Awaitable, Callable, Literal, NoReturn, Sequence, TypeVar, overload

from .exceptions import HTTPException as HTTPException, abort as abort
from .request import Request as Request
from .response import Response as Response
from .routing import Route, URLPattern as URLPattern
from .server import Server
from .structures import NoCaseDict as NoCaseDict
from .urls import (
    MultiDict as MultiDict,
    urldecode_bytes as urldecode_bytes,
    urldecode_str as urldecode_str,
    urlencode as urlencode,
)

# composition.merge_vary once a request used request.vary (a cache)
merge_vary: Callable[[Response, set[str]], None] | None

_F = TypeVar("_F", bound=Callable[..., Any])
# a middleware class: cls(next_handler, **options) is awaited with a request
_Middleware = Callable[..., Callable[[Request], Awaitable[Any]]]
_MiddlewareEntry = _Middleware | tuple[_Middleware, dict[str, Any]]

class Microdot:
    url_map: list[Route]
    before_request_handlers: list[Callable[..., Any]]
    after_request_handlers: list[Callable[..., Any]]
    after_error_request_handlers: list[Callable[..., Any]]
    error_handlers: dict[int | type[BaseException], Callable[..., Any]]
    middleware: list[_MiddlewareEntry]
    debug: bool
    idle_timeout: float
    request_timeout: float
    keep_alive: bool
    max_connections: int | None
    server: Server | None
    options_handler: Callable[[Request], Any]
    def __init__(self, middleware: Sequence[_MiddlewareEntry] | None = None) -> None: ...
    def route(
        self,
        url_pattern: str,
        methods: list[str] | None = None,
        middleware: Sequence[_MiddlewareEntry] | None = None,
        endpoint: str | None = None,
    ) -> Callable[[_F], _F]: ...
    def get(
        self, url_pattern: str, *, middleware: Sequence[_MiddlewareEntry] | None = None, endpoint: str | None = None
    ) -> Callable[[_F], _F]: ...
    def post(
        self, url_pattern: str, *, middleware: Sequence[_MiddlewareEntry] | None = None, endpoint: str | None = None
    ) -> Callable[[_F], _F]: ...
    def put(
        self, url_pattern: str, *, middleware: Sequence[_MiddlewareEntry] | None = None, endpoint: str | None = None
    ) -> Callable[[_F], _F]: ...
    def patch(
        self, url_pattern: str, *, middleware: Sequence[_MiddlewareEntry] | None = None, endpoint: str | None = None
    ) -> Callable[[_F], _F]: ...
    def delete(
        self, url_pattern: str, *, middleware: Sequence[_MiddlewareEntry] | None = None, endpoint: str | None = None
    ) -> Callable[[_F], _F]: ...
    def query(
        self, url_pattern: str, *, middleware: Sequence[_MiddlewareEntry] | None = None, endpoint: str | None = None
    ) -> Callable[[_F], _F]: ...
    def before_request(self, f: _F) -> _F: ...
    def after_request(self, f: _F) -> _F: ...
    def after_error_request(self, f: _F) -> _F: ...
    def errorhandler(self, status_code_or_exception_class: int | type[BaseException]) -> Callable[[_F], _F]: ...
    def add_middleware(self, cls: _Middleware, **options: Any) -> None: ...
    def mount(
        self,
        subapp: Microdot,
        url_prefix: str = "",
        local: bool = False,
        middleware: Sequence[_MiddlewareEntry] | None = None,
        name: str | None = None,
    ) -> None: ...
    @staticmethod
    def abort(status_code: int, reason: str | None = None) -> NoReturn: ...
    def url_for(self, endpoint: str, **values: Any) -> str: ...
    def find_route(self, req: Request) -> tuple[Route, dict[str, Any]] | tuple[None, list[str] | None]: ...
    def default_options_handler(self, req: Request) -> dict[str, str]: ...
    async def dispatch_request(self, req: Request | None) -> Response: ...
    async def handle_exception(
        self, req: Request | None, exc: BaseException, chain: Sequence[Microdot]
    ) -> Response: ...
    @staticmethod
    def make_response(ret: Any) -> Response: ...
    async def handle_request(self, reader: Any, writer: Any) -> None: ...
    @overload
    async def start_server(
        self,
        host: str = "0.0.0.0",
        port: int = 5000,
        debug: bool = False,
        ssl: SSLContext | None = None,
        start_serving: Literal[True] = True,
    ) -> None: ...
    @overload
    async def start_server(
        self,
        host: str = "0.0.0.0",
        port: int = 5000,
        debug: bool = False,
        ssl: SSLContext | None = None,
        *,
        start_serving: Literal[False],
    ) -> asyncio.Server: ...
    def run(
        self, host: str = "0.0.0.0", port: int = 5000, debug: bool = False, ssl: SSLContext | None = None
    ) -> None: ...
    def shutdown(self) -> None: ...

def redirect(location: str, status_code: int = 302) -> Response: ...
def send_file(
    filename: str,
    status_code: int = 200,
    content_type: str | None = None,
    stream: Any = None,
    max_age: int | None = None,
    compressed: bool | str = False,
    file_extension: str = "",
) -> Response: ...
