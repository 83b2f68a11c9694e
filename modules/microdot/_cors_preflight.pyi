"""Type stubs for microdot._cors_preflight (see _cors_preflight.py)."""
from .cors import CORS
from .request import Request

def preflight_headers(cors: CORS, request: Request, method: str) -> dict[str, str]: ...
