#!/bin/sh
# Raspberry Pi Pico images (.uf2) with the framework frozen in: RPI_PICO
# and RPI_PICO_W by default, each with a 128 KB ROMFS partition. Prints
# their sizes; with a boot ROM source (PICO_BOOTROM_DIR, see
# tests-device/rp2040_board.py) and node/npm, also runs the test suite on
# the RPI_PICO image in the rp2040js emulator (the `pico` place of
# `make test`). Flash a real board with `make flash BOARD=RPI_PICO_W` and
# run the suite with `pytest --device /dev/ttyACM0`.
#
#   ports-ci/rp2.sh [BOARD...]   (see ports-ci/lib.sh for the environment)
# Needs the rp2 submodules of MicroPython (pico-sdk, tinyusb, and for the W
# cyw43-driver, lwip, btstack, mbedtls; micropython-lib) and picotool >=
# 2.1.1 found via CMAKE_PREFIX_PATH (or the pico-sdk fetches it, which
# needs the network).
CI_NAME=rp2
. "$(dirname "$0")/lib.sh"

BOARDS=${*:-RPI_PICO RPI_PICO_W}
for board in $BOARDS; do
    ci_build "$board"
    step "size of $board"
    ls -l "firmware/build/$board/firmware.uf2"
done
case " $BOARDS " in
    *" RPI_PICO "*)
        if [ -n "${PICO_BOOTROM_DIR:-}" ]; then
            ci_venv
            step "test suite on the emulated Pico (rp2040js)"
            "$VENV_PY" tests-device/run_places.py --only pico
        else
            echo "rp2: PICO_BOOTROM_DIR unset: not running the suite in the emulator"
        fi ;;
esac
