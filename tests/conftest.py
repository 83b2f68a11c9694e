"""CPython runs of tests/: import the framework from modules/. (pytest puts
tests/ itself on sys.path; tests/lib, the unittest shim for MicroPython, is
never put there, so CPython always uses the standard library's unittest.)"""
import os
import sys

_MODULES = os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), 'modules')
if _MODULES not in sys.path:
    sys.path.insert(0, _MODULES)


import pytest  # noqa: E402
from microdot import Request, Response  # noqa: E402

_LIMITS = ('max_content_length', 'max_body_length', 'max_readline',
           'max_headers', 'max_head_length')
# the defaults, taken before any test file is imported
_DEFAULTS = [getattr(Request, name) for name in _LIMITS] + \
    [Response.default_content_type]


@pytest.fixture(autouse=True, scope='module')
def _default_framework_settings():
    """Some test files load example apps in-process, and an app may raise a
    limit when it is imported (an upload app raises max_content_length,
    even at collection time): each test file starts from the framework's
    defaults, as it does when run alone."""
    for name, value in zip(_LIMITS, _DEFAULTS):
        setattr(Request, name, value)
    Response.default_content_type = _DEFAULTS[-1]
    yield
