#!/bin/sh
# Build the unix port image with the framework frozen in, check that the
# framework really is frozen, boot it through the firmware's boot code and
# serve a request, then run the whole test suite on the image.
#
#   ports-ci/unix.sh            (see ports-ci/lib.sh for the environment)
CI_NAME=unix
. "$(dirname "$0")/lib.sh"

ci_build UNIX
IMAGE=firmware/build/UNIX/micropython

step "frozen modules (sys.path = ['.frozen'] only)"
"$IMAGE" -c "import sys; sys.path[:] = ['.frozen']
import microdot, kitboot, kitsetup, jwt, hmac, asyncio
print('frozen: microdot', microdot.__version__)"

step "boot code serves the frozen demo"
"$PY" ports-ci/serve_check.py "$IMAGE"

ci_venv
step "test suite on the image"
"$VENV_PY" -m pytest -q -p no:cacheprovider --device unix \
    --micropython "$IMAGE" --place "unix image" tests/
