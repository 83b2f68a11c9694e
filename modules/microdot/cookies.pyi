"""Type stubs for microdot.cookies (see cookies.py): the methods are
declared on Response (response.pyi)."""

class CookieMethods: ...
