"""Fixtures of the live-device tests (test_live_*.py, run by
`pytest --device SPEC`): `live_server` starts tests-device/apps/live_app.py
on the device and gives its base URL."""
import os
import socket

import pytest

import device_plugin

HERE = os.path.dirname(os.path.abspath(__file__))


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _connectable(host, port):
    try:
        socket.create_connection((host, port), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.fixture(scope='session')
def device(pytestconfig):
    """The device of this run (pytest --device SPEC)."""
    session = device_plugin._session(pytestconfig)
    if session is None:
        pytest.skip('needs a device: pytest --device unix|PORT')
    if session.current is not None:
        session.current.finish()  # the board runs one thing at a time
        session.current = None
    try:
        return session.open()
    except Exception as exc:
        pytest.fail('device not available: %s' % exc)


@pytest.fixture(scope='session')
def live_server(device):
    """Base URL of live_app running on the device (skips when the device
    has no network connection)."""
    import time
    port = _free_port()
    code = device.path_setup([os.path.join(HERE, 'apps')]) + (
        '\nimport live_app\nlive_app.main(%d)\n' % port)
    program = device.start_program(code)
    try:
        match = program.wait_for(r'@@live (\S+)(?: (\d+))?', timeout=60)
        if match is None:
            pytest.fail('the live app did not start on the device:\n%s\n%s'
                        % (program.text, program.ended or 'timed out'))
        if match.group(1) == 'none':
            pytest.skip('the device has no network connection (connect the '
                        'board to Wi-Fi first)')
        host = match.group(1)
        deadline = time.monotonic() + 30
        while not _connectable(host, port):
            if program.ended or time.monotonic() > deadline:
                pytest.fail('the live app does not accept connections on '
                            '%s:%d:\n%s' % (host, port, program.text))
            time.sleep(0.1)
        yield 'http://%s:%d' % (host, port)
    finally:
        text = program.stop()
        if 'Traceback' in text:
            print('device output of the live app:\n' + text)
