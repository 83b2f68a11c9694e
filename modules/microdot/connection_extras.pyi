"""Type stubs for microdot.connection_extras (see connection_extras.py):
the methods are declared on Connection (connection.pyi)."""

class ConnectionExtras: ...
