# `make test`: the one test suite (tests/) in every place it can run here,
# one summary line per place: CPython, the harness's own tests, the unix
# port from .py and from .mpy, the virtual board over a pty; with a
# MicroPython checkout (MICROPY_DIR) also micropython-lib's unittest, the
# frozen UNIX image and the QEMU board image. See docs/testing.md.
#   make test TEST_ONLY=cpython,unix-py     some places only (--list: names)
#   make test TEST_ARGS="-k routing -x"     extra pytest arguments
#   make vdevice                            a virtual board; prints its port
TEST_ONLY ?=
TEST_ARGS ?=
DEVICE_PLUGIN := $(VENV)/.device-plugin
.PHONY: test vdevice

# The harness as an installed pytest plugin, so that the space-separated
# `pytest --device /dev/ttyUSB0` works (see tests-device/pyproject.toml).
$(DEVICE_PLUGIN): $(STAMP) tests-device/pyproject.toml
	$(BIN)/pip install -q --disable-pip-version-check -e tests-device
	@touch $@

test: $(STAMP) mpy $(DEVICE_PLUGIN)
	@$(BIN)/python tests-device/run_places.py \
	  $(if $(TEST_ONLY),--only $(TEST_ONLY)) $(if $(TEST_ARGS),-- $(TEST_ARGS))

vdevice: $(STAMP) mpy
	@$(BIN)/python tests-device/vdevice.py
