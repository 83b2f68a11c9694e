# Unix port: its standard variant's manifest (asyncio, ssl, mip) plus the
# framework.
include("$(PORT_DIR)/variants/standard/manifest.py")
include("../../manifest.py")
