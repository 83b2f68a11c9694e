#!/bin/sh
# ESP32 images (ESP32_GENERIC and ESP32_GENERIC_S3) with the framework frozen
# in. With the ESP-IDF (IDF_PATH set, idf.py on PATH: `source
# $IDF_PATH/export.sh`) this builds both images and checks they fit the app
# partition. Without it, it checks what can be checked: the manifest freezes
# for Xtensa through MicroPython's makemanifest.py, and the frozen code fits
# the app partition; then it fails (exit 3) saying the IDF is missing, or
# prints SKIP with SKIP_IF_MISSING=1.
#
#   ports-ci/esp32.sh [BOARD...]   (default: ESP32_GENERIC ESP32_GENERIC_S3)
CI_NAME=esp32
. "$(dirname "$0")/lib.sh"

BOARDS=${*:-ESP32_GENERIC ESP32_GENERIC_S3}
if [ -n "${IDF_PATH:-}" ] && command -v idf.py >/dev/null 2>&1; then
    for board in $BOARDS; do
        ci_build "$board"
    done
    exit 0
fi
for board in $BOARDS; do
    ci_firmware check "$board"  # without the ESP-IDF
done
echo "firmware: ESP-IDF not found (IDF_PATH unset or idf.py not on PATH): the images were checked, not built; install ESP-IDF v5.5.1 and \`source \$IDF_PATH/export.sh\` to build them"
if [ "${SKIP_IF_MISSING:-0}" = 1 ]; then
    echo "SKIP $CI_NAME: image build needs the ESP-IDF"
    exit 0
fi
exit 3
