# Raspberry Pi Pico (RP2040, no Wi-Fi): the port's shared rp2 manifest
# (asyncio with the _asyncio C module, ...) plus the framework. It runs in
# the rp2040js emulator (tests-device/rp2040/), a test place of `make test`.
include("$(PORT_DIR)/boards/manifest.py")
include("../../manifest.py")
