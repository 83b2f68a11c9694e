"""Type stubs for microdot.response (see response.py)."""
from typing import Any, Awaitable, ClassVar, Mapping

from typing_extensions import Self

from .streaming import BodyIterator
from .structures import NoCaseDict

def reason_phrase(status_code: int) -> str: ...

class Response:
    default_content_type: ClassVar[str]
    default_send_file_max_age: ClassVar[int | None]
    send_file_buffer_size: ClassVar[int]
    types_map: ClassVar[dict[str, str]]
    # set once the core is imported: the response of a handler that took
    # the connection over
    already_handled: ClassVar[Response]
    status_code: int
    reason: str | None
    # bytes for str/bytes/dict/list bodies; else the stream, iterator or file
    body: Any
    headers: NoCaseDict  # created on first use
    is_head: bool
    def __init__(
        self,
        body: Any = "",
        status_code: int = 200,
        headers: Mapping[str, Any] | None = None,
        reason: str | None = None,
    ) -> None: ...
    def set_cookie(
        self,
        cookie: str,
        value: Any,
        path: str | None = None,
        domain: str | None = None,
        expires: Any = None,
        max_age: int | float | None = None,
        secure: bool = False,
        http_only: bool = False,
        partitioned: bool = False,
        same_site: str | None = None,
    ) -> None: ...
    def delete_cookie(
        self,
        cookie: str,
        *,
        path: str | None = None,
        domain: str | None = None,
        secure: bool = False,
        http_only: bool = False,
        partitioned: bool = False,
        same_site: str | None = None,
    ) -> None: ...
    def complete(self) -> None: ...
    def framing(self, http_version: str, keep_alive: bool) -> bool: ...
    def body_iter(self) -> BodyIterator: ...
    def head_bytes(self, version: str = "1.1", plain: bool | None = None) -> bytes: ...
    def write(self, stream: Any, version: str = "1.1", conn: Any = None) -> Awaitable[None]: ...
    @classmethod
    def redirect(cls, location: str, status_code: int = 302) -> Self: ...
    @classmethod
    def send_file(
        cls,
        filename: str,
        status_code: int = 200,
        content_type: str | None = None,
        stream: Any = None,
        max_age: int | None = None,
        compressed: bool | str = False,
        file_extension: str = "",
    ) -> Self: ...
