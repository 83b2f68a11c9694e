"""Type stubs for microdot.wsgi (see wsgi.py)."""
from ssl import SSLContext
from typing import Any, Callable, Iterable, TypeVar

from . import microdot as _core

_App = TypeVar("_App", bound=_core.Microdot)

class Microdot(_core.Microdot):
    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]: ...
    def run(
        self, host: str = "0.0.0.0", port: int = 5000, debug: bool = False, ssl: SSLContext | None = None, **kwargs: Any
    ) -> None: ...
    def shutdown(self) -> None: ...

def wsgi_app(app: _App) -> _App: ...
