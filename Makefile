# Microdot firmware kit. `make run` serves the demo app on MicroPython,
# `make test` runs the suite everywhere it can run. See README.md.
PYTHON ?= python3
VENV ?= .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed
BOARD ?= UNIX
PORT ?= 5000
# A MicroPython checkout: the submodule when it is populated, else whatever
# the caller points MICROPY_DIR at.
MICROPY_DIR ?= $(if $(wildcard $(CURDIR)/micropython/py/mpconfig.h),$(CURDIR)/micropython,)
export MICROPY_DIR

.DEFAULT_GOAL := firmware
.PHONY: venv run mpy clean help package-json

help:
	@echo "make run [APP=dir]            serve examples/demo (or an app folder) on MicroPython at http://localhost:$(PORT)"
	@echo "make test                     run tests/ on CPython, the unix port and a virtual board"
	@echo "make BOARD=UNIX|QEMU|RPI_PICO|RPI_PICO_W|ESP32_GENERIC [APP=dir]   build a firmware image"
	@echo "make dev APP=dir PORT=/dev/..  run an app folder on a board over mpremote mount (Ctrl-C stops)"
	@echo "make deploy|romfs APP=dir PORT=/dev/..   copy an app folder to a board's filesystem | ROMFS"
	@echo "make bench                    benchmarks against upstream Microdot and a bare asyncio floor"

venv: $(STAMP)
$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt
	@touch $@

# The framework compiled to .mpy (the same bytecode freezing produces).
mpy: $(STAMP)
	$(BIN)/python tools/mpy_compile.py modules build/mpy

# APP: an app folder (default examples/demo; mk/firmware.mk sets it).
run: mpy
	@$(BIN)/python tools/run_demo.py --port $(PORT) --app $(APP)

# package.json for `mpremote mip install` (the suite checks it is current).
package-json:
	@$(PYTHON) tools/package_json.py

clean:
	rm -rf build firmware/build

-include mk/*.mk
