"""Root pytest configuration: loads the device harness (tests-device/), which
adds `pytest --device SPEC` and prints one summary line per run."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                'tests-device'))
pytest_plugins = ['device_plugin']
