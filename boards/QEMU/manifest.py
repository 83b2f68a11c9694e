# qemu port (MPS2_AN385): built with MICROPY_PY_ASYNCIO=0, so asyncio is frozen
# whole, including the pure-Python task queue. unittest lets the port's own
# test runner and our suite run on it.
require("unittest")
include("../../manifest.py", asyncio=True)
