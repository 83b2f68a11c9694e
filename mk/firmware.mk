# Firmware images: `make BOARD=UNIX|QEMU|RPI_PICO|RPI_PICO_W|ESP32_GENERIC|ESP32_GENERIC_S3`
# builds firmware/build/$(BOARD)/ from MicroPython in $(MICROPY_DIR), with
# boards/$(BOARD)/manifest.py frozen in. firmware/build.py does the work and
# stops with one line naming what is missing (source, submodule, toolchain).
#
#   make BOARD=RPI_PICO_W APP=examples/api             ...with that app folder frozen in
#   make flash BOARD=ESP32_GENERIC PORT=/dev/ttyUSB0   esptool / picotool / UF2 copy
#   make deploy APP=examples/demo PORT=/dev/ttyACM0    copy an app folder to /app
#        [CONFIG=config.json] [FRAMEWORK=auto|mpy|none] ...the Wi-Fi config; the framework
#                                                      as .mpy when the image lacks it
#   make romfs APP=examples/dashboard PORT=/dev/ttyACM0  the app into the board's ROMFS
#        [ROMFS_OUT=app.romfs]                         ...or only build the image file
#   make dev APP=examples/demo PORT=/dev/ttyACM0       run the folder over mpremote mount
#   make repl [BOARD=...] [PORT=...]                    a REPL on the board
#   make firmware-check BOARD=ESP32_GENERIC            frozen size vs partition
#   make firmware-size BOARD=...                       sizes of a built image
#
# PORT doubles as the HTTP port of `make run`; a number is never taken for
# a serial port, and without a serial port the tools find the board.
FW_PYTHON ?= python3
APP ?= examples/demo
CONFIG ?=
FRAMEWORK ?= auto
ROMFS_OUT ?=
# Freeze an app folder only when APP is given on the command line.
FW_APP := $(if $(filter command line,$(origin APP)),--app $(APP))

.PHONY: firmware flash deploy repl firmware-check firmware-size romfs dev

firmware:
	@$(FW_PYTHON) firmware/build.py build $(BOARD) $(FW_APP)

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

deploy: $(STAMP) mpy
	@$(BIN)/python tools/deploy.py $(APP) $(PORT) --config "$(CONFIG)" --framework $(FRAMEWORK)

romfs: $(STAMP)
	@$(BIN)/python tools/romfs.py $(APP) $(PORT) $(if $(ROMFS_OUT),--output $(ROMFS_OUT))

dev: $(STAMP)
	@$(BIN)/python tools/devloop.py $(APP) $(PORT)

repl: $(STAMP)
	@$(BIN)/python firmware/device.py repl $(BOARD) $(PORT)
