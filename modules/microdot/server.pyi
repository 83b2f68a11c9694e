"""Type stubs for microdot.server (see server.py)."""
import asyncio
from ssl import SSLContext
from typing import Any

from .connection import Connection
from .microdot import Microdot
from .response import Response

CancelledError = asyncio.CancelledError

async def serve_connection(
    app: Microdot, reader: Any, writer: Any, scheme: str | None = None, server: Server | None = None
) -> Response | None: ...

class Server:
    app: Microdot
    debug: bool
    connections: list[Connection]
    shutting_down: bool
    listener: Any  # asyncio.Server (on MicroPython too: asyncio.stream.Server)
    scheme: str
    def __init__(self, app: Microdot, debug: bool = False) -> None: ...
    async def bind(
        self, host: str, port: int, ssl: SSLContext | None = None, start_serving: bool = True
    ) -> asyncio.Server: ...
    async def serve(self, host: str, port: int, ssl: SSLContext | None = None) -> None: ...
    def on_memory_error(self) -> None: ...
    def close_idle(self, conn: Connection | None, count: int | None = None) -> None: ...
    def shutdown(self) -> None: ...

# MicroPython's accept loop and listening socket (see server.py)
async def accept(server: Server, sock: Any, handle_request: Any, ssl: SSLContext | None) -> None: ...
async def listen(server: Server, host: str, port: int, handle_request: Any, ssl: SSLContext | None) -> Any: ...
