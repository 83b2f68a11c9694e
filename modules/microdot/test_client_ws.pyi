"""Type stubs for microdot.test_client_ws (see test_client_ws.py)."""
from typing import Any, Callable, Mapping

from .test_client import TestClient, TestResponse

async def websocket(
    client: TestClient, path: str, handler: Callable[[], Any], headers: Mapping[str, Any] | None = None
) -> TestResponse: ...
def parse_events(body: bytes) -> list[dict[str, Any]]: ...
