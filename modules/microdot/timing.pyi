"""Type stubs for microdot.timing (see timing.py)."""
from .middleware import Middleware, _Next
from .request import Request
from .response import Response

class Timing(Middleware):
    format: str  # the metric, with %.3f for the milliseconds
    def __init__(self, next_handler: _Next, name: str = "app", description: str | None = None) -> None: ...
    async def __call__(self, request: Request) -> Response: ...
