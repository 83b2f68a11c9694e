# Firmware images: `make BOARD=UNIX|QEMU|RPI_PICO_W|ESP32_GENERIC|ESP32_GENERIC_S3`
# builds firmware/build/$(BOARD)/ from MicroPython in $(MICROPY_DIR), with
# boards/$(BOARD)/manifest.py frozen in. firmware/build.py does the work and
# stops with one line naming what is missing (source, submodule, toolchain).
#
#   make flash BOARD=ESP32_GENERIC PORT=/dev/ttyUSB0   esptool / picotool / UF2 copy
#   make deploy APP=examples/demo PORT=/dev/ttyACM0    copy an app folder to /app
#        [CONFIG=config.json]                          ...and the Wi-Fi config
#   make repl [BOARD=...] [PORT=...]                    a REPL on the board
#   make firmware-check BOARD=ESP32_GENERIC            frozen size vs partition
#   make firmware-size BOARD=...                       sizes of a built image
#
# PORT doubles as the HTTP port of `make run`; a number is never taken for
# a serial port, and without a serial port the tools find the board.
FW_PYTHON ?= python3
APP ?= examples/demo
CONFIG ?=

.PHONY: firmware flash deploy repl firmware-check firmware-size

firmware:
	@$(FW_PYTHON) firmware/build.py build $(BOARD)

firmware-check:
	@$(FW_PYTHON) firmware/build.py check $(BOARD)

firmware-size:
	@$(FW_PYTHON) firmware/build.py size $(BOARD)

# ESP32 boards flash with esptool: installed into the venv on first use
# (it is not in requirements.txt, so `make test` never pays for it).
flash: $(STAMP)
	@case "$(BOARD)" in ESP32*) $(BIN)/python -c 'import esptool' 2>/dev/null \
	  || { echo "installing esptool into $(VENV) (first ESP32 flash)"; \
	       $(BIN)/pip install -q --disable-pip-version-check esptool; } ;; esac
	@$(BIN)/python firmware/device.py flash $(BOARD) $(PORT)

deploy: $(STAMP)
	@$(BIN)/python firmware/device.py deploy $(APP) $(PORT) --config "$(CONFIG)"

repl: $(STAMP)
	@$(BIN)/python firmware/device.py repl $(BOARD) $(PORT)
