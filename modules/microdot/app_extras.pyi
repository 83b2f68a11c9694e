"""Type stubs for microdot.app_extras (see app_extras.py): the methods are
declared on Microdot (microdot.pyi)."""

class AppExtras: ...
