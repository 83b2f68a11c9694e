#!/bin/sh
# Build the Raspberry Pi Pico W image (.uf2) with the framework frozen in
# and print its size. Nothing runs it here: flash it with
# `make flash BOARD=RPI_PICO_W` and run the suite with
# `pytest --device /dev/ttyACM0`.
#
#   ports-ci/rp2.sh             (see ports-ci/lib.sh for the environment)
# Needs the rp2 submodules of MicroPython (pico-sdk, tinyusb, cyw43-driver,
# lwip, btstack, mbedtls, micropython-lib) and picotool >= 2.1.1 found via
# CMAKE_PREFIX_PATH (or the pico-sdk fetches it, which needs the network).
CI_NAME=rp2
. "$(dirname "$0")/lib.sh"

ci_build RPI_PICO_W
step "size"
ls -l firmware/build/RPI_PICO_W/firmware.uf2
