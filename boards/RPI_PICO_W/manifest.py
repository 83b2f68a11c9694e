# Raspberry Pi Pico W: the port's board manifest (networking, asyncio with the
# _asyncio C module) plus the framework.
include("$(PORT_DIR)/boards/RPI_PICO_W/manifest.py")
include("../../manifest.py")
