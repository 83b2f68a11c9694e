"""Type stubs for microdot._auth_errors (see _auth_errors.py)."""
from typing import NoReturn

from .auth import BaseAuth
from .response import Response

def error_response(auth: BaseAuth) -> Response: ...
def no_verify() -> NoReturn: ...
