"""Type stubs for microdot.utemplate_compiler (see utemplate_compiler.py)."""
from typing import Callable

# resolve(name) -> (display name, source) of another template, or None
_Resolve = Callable[[str], tuple[str, str] | None]

HTML_EXTENSIONS: tuple[str, ...]
# literal text at least this long is yielded as its constant
LONG_TEXT: int

class TemplateSyntaxError(Exception):
    template: str
    line: int
    msg: str
    def __init__(self, template: str, line: int, msg: str) -> None: ...

def is_html(name: str) -> bool: ...
def compile_template(
    source: str, name: str, autoescape: bool | None = None, resolve: _Resolve | None = None
) -> str: ...
def file_resolver(template_dir: str, display_dir: str | None = None) -> _Resolve: ...
