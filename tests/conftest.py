"""CPython runs of tests/: import the framework from modules/. (pytest puts
tests/ itself on sys.path; tests/lib, the unittest shim for MicroPython, is
never put there, so CPython always uses the standard library's unittest.)"""
import os
import sys

_MODULES = os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), 'modules')
if _MODULES not in sys.path:
    sys.path.insert(0, _MODULES)
