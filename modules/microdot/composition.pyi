"""Type stubs for microdot.composition (see composition.py)."""
from typing import Any, Callable, Iterable, Sequence

from .microdot import Microdot, _MiddlewareEntry
from .response import Response
from .routing import Route

def mount(
    app: Microdot,
    subapp: Microdot,
    url_prefix: str,
    local: bool,
    middleware: Sequence[_MiddlewareEntry] | None,
    name: str | None,
) -> None: ...
def build_stack(app: Microdot, route: Route | None) -> Callable[..., Any]: ...
def merge_vary(res: Response, names: Iterable[str]) -> None: ...
