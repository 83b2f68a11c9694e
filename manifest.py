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
#
# KIT_APP_DIR (set by `make BOARD=... APP=path/to/app`, through
# firmware/build.py) freezes that app folder instead of the demo; see the
# end of this file.
import os

options.defaults(asyncio=False, asyncio_task=False, boot=True, demo=True)

# Everything under modules/: the microdot package (every extension that
# exists is frozen) and any other package or module the framework ships
# there. Left out: modules that only run on CPython (the ASGI and WSGI
# adapters, Jinja) and the type stubs (.pyi, for CPython's type checkers).
_CPYTHON_ONLY = ("asgi.py", "wsgi.py", "jinja.py", "cpython.py")
for _name in sorted(os.listdir("modules")):
    # Only importable names: not caches, not a pip build's *.egg-info.
    if _name.startswith((".", "_")) or not (
            _name[:-3] if _name.endswith(".py") else _name).isidentifier():
        continue
    _path = os.path.join("modules", _name)
    if os.path.isdir(_path):
        package(_name, base_path="modules", files=sorted(
            _f for _f in os.listdir(_path)
            if _f.endswith(".py") and _f not in _CPYTHON_ONLY))
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
    # kitboot, kitsetup, kitconfig, ...: every kit*.py of the boot code.
    for _name in sorted(os.listdir("firmware")):
        if _name.startswith("kit") and _name.endswith(".py"):
            module(_name, base_path="firmware")
    # The board's settings (boards/<BOARD>/board.json, checked by
    # kitconfig.validate_board) as the module kitboard: SETTINGS = {...}.
    # firmware/build.py names the board in KIT_BOARD.
    _board = os.environ.get("KIT_BOARD", "")
    _json = os.path.join("boards", _board, "board.json")
    if _board and os.path.exists(_json):
        import importlib.util
        import json

        _spec = importlib.util.spec_from_file_location(
            "_kit_kitconfig", os.path.join("firmware", "kitconfig.py"))
        _kc = importlib.util.module_from_spec(_spec)
        _spec.loader.exec_module(_kc)
        with open(_json) as _fh:
            try:
                _settings = _kc.validate_board(json.load(_fh))
            except (ValueError, _kc.ConfigError) as _exc:
                raise SystemExit("manifest.py: %s: %s" % (_json, _exc))
        _gen = os.environ["KIT_GEN_DIR"]
        os.makedirs(_gen, exist_ok=True)
        with open(os.path.join(_gen, "kitboard.py"), "w") as _fh:
            _fh.write('"""%s settings (generated from %s)."""\n'
                      "SETTINGS = %r\n" % (_board, _json, _settings))
        module("kitboard.py", base_path=_gen)

_app_dir = os.environ.get("KIT_APP_DIR")
if _app_dir:
    # The app folder: its modules and packages as they are (app.py becomes
    # the frozen `app` the boot code falls back to), its templates compiled
    # by tools/compile_templates.py when the kit has that tool, and every
    # other file as bytes in the generated module `kitapp_files`
    # (kitapp_files.FILES["static/style.css"], kitapp_files.open(name)).
    _out = os.environ["KIT_APP_BUILD"]
    _data = {}
    for _name in sorted(os.listdir(_app_dir)):
        _path = os.path.join(_app_dir, _name)
        if _name.startswith((".", "_")) and _name != "__init__.py":
            continue
        if _name.endswith(".py") and os.path.isfile(_path):
            module(_name, base_path=_app_dir)
        elif os.path.isfile(os.path.join(_path, "__init__.py")):
            package(_name, base_path=_app_dir)
        elif _name == "templates" and os.path.exists(
                "tools/compile_templates.py"):
            import importlib.util
            _spec = importlib.util.spec_from_file_location(
                "_kit_compile_templates", "tools/compile_templates.py")
            _ct = importlib.util.module_from_spec(_spec)
            _spec.loader.exec_module(_ct)
            _ct.freeze_app(_app_dir, module, os.path.join(_out, "templates"))
        else:
            for _root, _dirs, _files in os.walk(_path):
                _dirs[:] = sorted(d for d in _dirs if d != "__pycache__")
                for _f in sorted(_files):
                    if _f.endswith((".pyc", "~")):
                        continue
                    _full = os.path.join(_root, _f)
                    _rel = os.path.relpath(_full, _app_dir).replace(os.sep, "/")
                    with open(_full, "rb") as _fh:
                        _data[_rel] = _fh.read()
    os.makedirs(_out, exist_ok=True)
    with open(os.path.join(_out, "kitapp_files.py"), "w") as _fh:
        _fh.write('"""Files of the frozen app folder (generated by the '
                  'kit\'s manifest.py)."""\nFILES = {\n')
        for _rel in sorted(_data):
            _fh.write("    %r: %r,\n" % (_rel, _data[_rel]))
        _fh.write("}\n\n\ndef open(name, mode='rb'):\n"
                  "    \"\"\"A file object for a frozen file (read only).\"\"\"\n"
                  "    import io\n    return io.BytesIO(FILES[name.lstrip('/')])\n")
    module("kitapp_files.py", base_path=_out)
elif options.demo and os.path.exists("examples/demo/app.py"):
    # Frozen as `app`: an app.py on the filesystem comes first on sys.path
    # ('' precedes '.frozen'), so the demo only runs when the user has none.
    module("app.py", base_path="examples/demo")
