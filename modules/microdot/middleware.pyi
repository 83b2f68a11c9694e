"""Type stubs for microdot.middleware (see middleware.py)."""
from typing import Any, Awaitable, Callable

from .request import Request
from .response import Response

_Next = Callable[[Request], Awaitable[Response]]

class Middleware:
    next_handler: _Next
    def __init__(self, next_handler: _Next, **options: Any) -> None: ...
    async def __call__(self, request: Request) -> Response: ...

def request_host(request: Request) -> str: ...
def add_vary(response: Response, name: str) -> None: ...
