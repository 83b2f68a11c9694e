# ESP32 boards: the port's shared board manifest plus the framework.
include("$(PORT_DIR)/boards/manifest.py")
include("../../manifest.py")
