"""Type stubs for microdot.exceptions (see exceptions.py)."""
from typing import NoReturn

class HTTPException(Exception):
    status_code: int
    reason: str | None
    def __init__(self, status_code: int, reason: str | None = None) -> None: ...

def abort(status_code: int, reason: str | None = None) -> NoReturn: ...

class ProtocolError(HTTPException):
    reason: str | int | None  # type: ignore[assignment]
    def __init__(self, status_code: int, reason: str | int | None = None) -> None: ...
