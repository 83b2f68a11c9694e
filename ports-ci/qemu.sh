#!/bin/sh
# Build the qemu port image (MPS2_AN385, Cortex-M3, 140 KB heap) with the
# framework frozen in, boot it in qemu-system-arm with its UART on a pty,
# check the frozen modules, serve a request through the test client (the
# port has no network), then run the test suite on it over the pty.
#
#   ports-ci/qemu.sh            (see ports-ci/lib.sh for the environment)
CI_NAME=qemu
. "$(dirname "$0")/lib.sh"

if ! command -v qemu-system-arm >/dev/null 2>&1; then
    echo "qemu-system-arm not found: apt-get install qemu-system-arm"
    if [ "${SKIP_IF_MISSING:-0}" = 1 ]; then
        echo "SKIP $CI_NAME: no emulator"; exit 0
    fi
    exit 3
fi
ci_build QEMU
ci_venv

step "boot the emulated board"
LOG=$(mktemp)
qemu-system-arm -machine mps2-an385 -nographic -monitor null -semihosting \
    -serial pty -kernel firmware/build/QEMU/firmware.elf >"$LOG" 2>&1 &
QEMU_PID=$!
trap 'kill $QEMU_PID 2>/dev/null; rm -f "$LOG"' EXIT INT TERM
PTY=
for _ in 1 2 3 4 5 6 7 8 9 10; do
    PTY=$(grep -o '/dev/pts/[0-9]*' "$LOG" || true)
    [ -n "$PTY" ] && break
    sleep 0.5
done
if [ -z "$PTY" ]; then
    cat "$LOG"; echo "qemu did not offer a serial pty"; exit 1
fi
echo "board UART on $PTY"
MPREMOTE="$ROOT/.venv/bin/mpremote"

step "frozen modules and one request through the test client"
"$MPREMOTE" connect "$PTY" exec "
import sys
sys.path[:] = ['.frozen']
import asyncio, microdot, kitboot, kitsetup, hmac  # jwt needs time.time(), which this port lacks
from microdot import Microdot
from microdot.test_client import TestClient
app = Microdot()
@app.get('/hello/<name>')
async def hello(request, name):
    return {'hello': name}
async def main():
    res = await TestClient(app).get('/hello/qemu')
    print('frozen microdot', microdot.__version__, '->', res.status_code, res.json)
    assert res.status_code == 200 and res.json == {'hello': 'qemu'}
asyncio.run(main())
" | tee /dev/stderr | grep -q -- '-> 200'

step "test suite on the board"
"$VENV_PY" -m pytest -q -p no:cacheprovider --device "$PTY" \
    --place "qemu image" tests/
