"""Type stubs for microdot.errors (see errors.py)."""
from typing import Sequence

from .connection import Connection
from .exceptions import HTTPException
from .microdot import Microdot
from .request import Request
from .response import Response

DETAILS: tuple[str, ...]

def detail_text(exc: HTTPException) -> str | None: ...
def error_response(status: int, reason: str | None = None, detail: str | None = None) -> Response: ...
async def handle_exception(
    app: Microdot, req: Request | None, exc: BaseException, chain: Sequence[Microdot]
) -> Response: ...
async def reply_bad_request(app: Microdot, conn: Connection, exc: HTTPException) -> None: ...
async def linger(conn: Connection) -> None: ...

LINGER_MS: int
LINGER_LIMIT: int
