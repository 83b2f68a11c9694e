"""Type stubs for microdot.multipart (see multipart.py)."""
from typing import Any, BinaryIO, Callable

from .request import Request, _BodyStream

class FormDataIter:
    # limits: set them on the class, or on an instance before iterating
    buffer_size: int
    max_parts: int
    max_part_headers: int
    max_field_size: int
    max_file_size: int | None
    stream: _BodyStream
    delim: bytes
    buf: bytes
    eof: bool
    started: bool
    done: bool
    in_part: bool
    part_read: int
    parts: int
    current: FileUpload | None
    def __init__(self, request: Request) -> None: ...
    def __aiter__(self) -> FormDataIter: ...
    async def __anext__(self) -> tuple[str, str | FileUpload]: ...

class FileUpload:
    max_memory_size: int
    spill_dir: str | None
    filename: str
    content_type: str | None
    name: str | None
    def __init__(
        self, filename: str, content_type: str | None, source: FormDataIter | bytes | str, name: str | None = None
    ) -> None: ...
    async def read(self, n: int = -1) -> bytes: ...
    async def save(self, path_or_file: str | BinaryIO) -> int: ...
    async def copy(self, max_memory_size: int | None = None) -> FileUpload: ...
    async def close(self) -> None: ...

class _FormDataHandler:
    f: Callable[..., Any]
    def __init__(self, f: Callable[..., Any]) -> None: ...
    async def __call__(self, request: Request, *args: Any, **kwargs: Any) -> Any: ...

def with_form_data(f: Callable[..., Any]) -> _FormDataHandler: ...
def safe_filename(filename: str | None, max_length: int = 64) -> str | None: ...
