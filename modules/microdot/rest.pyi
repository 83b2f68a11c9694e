"""Type stubs for microdot.rest (see rest.py)."""
from typing import Any, Callable, Coroutine, Mapping, Sequence

from .exceptions import HTTPException as HTTPException, abort as abort
from .microdot import Microdot
from .request import Request
from .response import Response

def error_response(status_code: int, message: str | None = None, headers: Mapping[str, Any] | None = None) -> Response: ...
def bad_request(message: str) -> Response: ...
def to_json_error(response: Response) -> Response: ...
def json_errors(
    app: Microdot, url_prefix: str | None = None
) -> Callable[[Request, Response], Coroutine[Any, Any, Response]]: ...
def paginate(
    request: Request,
    items: Sequence[Any] | Callable[[int, int], tuple[Any, int]],
    endpoint: str | None = None,
    per_page: int = 10,
    max_per_page: int = 100,
    serialize: Callable[[Any], Any] | None = None,
    external: bool = False,
    **values: Any,
) -> dict[str, Any]: ...
