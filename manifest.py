# Freezes the framework, the boot code and their MicroPython dependencies.
#
# Included by boards/<BOARD>/manifest.py after the port's own manifest. Run by
# MicroPython's tools/makemanifest.py, which makes relative paths relative to
# this file. Options (pass them with include("...", name=value)):
#   asyncio_task  also freeze asyncio/task.py, for ports built without the
#                 _asyncio C module (the qemu port has no asyncio at all)
#   asyncio       freeze the asyncio package itself (ports without it)
#   boot          freeze the boot code (main.py + kitboot + kitsetup)
#   demo          freeze examples/demo/app.py as the fallback app
import os

options.defaults(asyncio=False, asyncio_task=False, boot=True, demo=True)

# Everything under modules/: the microdot package (globbed by package(), so
# every extension that exists is frozen) and any other package or module the
# framework ships there.
for _name in sorted(os.listdir("modules")):
    if _name.startswith((".", "_")):
        continue
    if os.path.isdir(os.path.join("modules", _name)):
        package(_name, base_path="modules")
    elif _name.endswith(".py"):
        module(_name, base_path="modules")

# micropython-lib dependencies of the extensions (sessions and login sign
# with HMAC and JWT). utemplate is not part of micropython-lib; it is frozen
# only if it ships in modules/ (handled by the loop above).
require("hmac")
require("pyjwt")

if options.asyncio:
    include("$(MPY_DIR)/extmod/asyncio")
if options.asyncio or options.asyncio_task:
    # The pure-Python task queue, used when the _asyncio C module is absent.
    package("asyncio", files=("task.py",), base_path="$(MPY_DIR)/extmod")

if options.boot:
    # main.py is frozen; kitboot hands over to a main.py on the filesystem.
    module("main.py", base_path="firmware")
    module("kitboot.py", base_path="firmware")
    module("kitsetup.py", base_path="firmware")

if options.demo and os.path.exists("examples/demo/app.py"):
    # Frozen as `app`: an app.py on the filesystem comes first on sys.path
    # ('' precedes '.frozen'), so the demo only runs when the user has none.
    module("app.py", base_path="examples/demo")
