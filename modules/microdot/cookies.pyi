"""Type stubs for microdot.cookies (see cookies.py)."""
from typing import Any

from .response import Response

def set_cookie(
    response: Response,
    cookie: str,
    value: Any,
    path: str | None,
    domain: str | None,
    expires: Any,
    max_age: int | float | None,
    secure: bool,
    http_only: bool,
    partitioned: bool,
    same_site: str | None,
) -> None: ...
