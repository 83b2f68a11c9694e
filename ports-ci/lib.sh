# Shared by the ports-ci/*.sh scripts (sourced, not run).
#
# Environment:
#   MICROPY_DIR       MicroPython v1.28.0 source (default: the micropython/
#                     submodule when it is checked out)
#   SKIP_IF_MISSING=1 exit 0 with a SKIP line when the source or a toolchain
#                     is missing, instead of failing (for CI matrices where
#                     some runners lack a toolchain)
#   JOBS              parallel build jobs (default 2)

set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=${PYTHON:-python3}
VENV_PY="$ROOT/.venv/bin/python"

step() {
    printf '\n=== %s: %s\n' "$CI_NAME" "$*"
}

# `firmware/build.py VERB BOARD` (build: what `make BOARD=...` does; check:
# what can be checked without the port's toolchain). A missing source or
# toolchain ends the script: non-zero, or SKIP with SKIP_IF_MISSING=1.
ci_firmware() {
    step "$1 BOARD=$2"
    rc=0
    "$PY" firmware/build.py "$1" "$2" || rc=$?
    if [ "$rc" -eq 3 ] && [ "${SKIP_IF_MISSING:-0}" = 1 ]; then
        echo "SKIP $CI_NAME: cannot $1 BOARD=$2 here (see the line above)"
        exit 0
    fi
    [ "$rc" -eq 0 ] || exit "$rc"
}

ci_build() {
    ci_firmware build "$1"
}

# The host tools (pytest, mpremote) live in .venv; make it if needed.
ci_venv() {
    if [ ! -x "$VENV_PY" ]; then
        step "make venv"
        make venv
    fi
}
