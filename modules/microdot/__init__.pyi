"""Type stubs for the microdot package (see __init__.py)."""
from .exceptions import HTTPException as HTTPException, abort as abort
from .helpers import invoke_handler as invoke_handler
from .microdot import Microdot as Microdot, redirect as redirect, send_file as send_file
from .request import Request as Request
from .response import Response as Response
from .routing import URLPattern as URLPattern
from .structures import NoCaseDict as NoCaseDict

# served lazily by the package's __getattr__ (loaded on first use)
from .urls import (
    MultiDict as MultiDict,
    urldecode_bytes as urldecode_bytes,
    urldecode_str as urldecode_str,
    urlencode as urlencode,
)

__version__: str
__all__ = [
    "Microdot",
    "Request",
    "Response",
    "URLPattern",
    "HTTPException",
    "abort",
    "redirect",
    "send_file",
    "MultiDict",
    "NoCaseDict",
    "urlencode",
    "urldecode_str",
    "urldecode_bytes",
    "invoke_handler",
]
