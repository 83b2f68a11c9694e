"""Type stubs for microdot.session_write (see session_write.py): the
methods are declared on Session (session.pyi)."""

class SessionWrite: ...
