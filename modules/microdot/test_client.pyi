"""Type stubs for microdot.test_client (see test_client.py)."""
from typing import Any, Callable, ClassVar, Mapping

from .microdot import Microdot
from .structures import NoCaseDict

class TestResponse:
    __test__: ClassVar[bool]
    status_code: int
    reason: str
    headers: NoCaseDict
    # None for HEAD requests and for Response.already_handled
    body: bytes | None
    text: str | None
    json: Any
    # a text/event-stream body, parsed on first use (else None)
    events: list[Any] | None
    # filled in by TestClient.websocket()
    messages: list[Any]
    close_code: int | None
    def __init__(self, raw: bytes, no_body: bool = False) -> None: ...

class TestClient:
    __test__: ClassVar[bool]
    app: Microdot
    cookies: dict[str, Any]
    scheme: str | None
    host: str
    def __init__(
        self,
        app: Microdot,
        cookies: Mapping[str, Any] | None = None,
        scheme: str | None = None,
        host: str | None = None,
    ) -> None: ...
    async def request(
        self,
        method: str,
        path: str,
        headers: Mapping[str, Any] | None = None,
        body: Any = None,
        json: Any = None,
    ) -> TestResponse: ...
    async def get(self, path: str, headers: Mapping[str, Any] | None = None) -> TestResponse: ...
    async def post(
        self, path: str, headers: Mapping[str, Any] | None = None, body: Any = None, json: Any = None
    ) -> TestResponse: ...
    async def put(
        self, path: str, headers: Mapping[str, Any] | None = None, body: Any = None, json: Any = None
    ) -> TestResponse: ...
    async def patch(
        self, path: str, headers: Mapping[str, Any] | None = None, body: Any = None, json: Any = None
    ) -> TestResponse: ...
    async def delete(
        self, path: str, headers: Mapping[str, Any] | None = None, body: Any = None, json: Any = None
    ) -> TestResponse: ...
    async def head(self, path: str, headers: Mapping[str, Any] | None = None) -> TestResponse: ...
    async def options(self, path: str, headers: Mapping[str, Any] | None = None) -> TestResponse: ...
    async def query(self, path: str, headers: Mapping[str, Any] | None = None, body: Any = None) -> TestResponse: ...
    async def websocket(
        self, path: str, client: Callable[[], Any], headers: Mapping[str, Any] | None = None
    ) -> TestResponse: ...
