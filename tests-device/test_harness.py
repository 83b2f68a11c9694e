"""The device harness's own tests (host side, CPython):

    pytest tests-device/test_harness.py

They run the fixture modules in tests-device/fixtures/ on the MicroPython
unix port and on a virtual board (the unix port behind a pty), and check
that each outcome reaches the host as it should: a failure with its
traceback, MemoryError as a skip, a hung test as a timeout, a device that
goes away as a clean failure.
"""
import importlib.util
import os
import re
import signal
import subprocess
import sys
import threading
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FIXTURES = os.path.join(HERE, 'fixtures')
sys.path.insert(0, HERE)
import device_plugin  # noqa: E402
import mpy_device  # noqa: E402
import vdevice  # noqa: E402


def _lib_unittest():
    micropy = os.environ.get('MICROPY_DIR') or os.path.join(ROOT,
                                                            'micropython')
    path = os.path.join(micropy, 'lib', 'micropython-lib', 'python-stdlib',
                        'unittest')
    return path if os.path.exists(os.path.join(path, 'unittest')) else None


@pytest.fixture(scope='module')
def unix():
    return mpy_device.UnixDevice(tests_dir=FIXTURES, timeout=3)


@pytest.fixture
def board():
    """A virtual board in a process of its own (so it can be killed)."""
    port_file = os.path.join(ROOT, 'build', 'test-vdevice-%d.port' %
                             os.getpid())
    os.makedirs(os.path.dirname(port_file), exist_ok=True)
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, 'vdevice.py'),
                             '--port-file', port_file],
                            stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not os.path.exists(port_file):
        assert proc.poll() is None, 'vdevice.py exited'
        assert time.monotonic() < deadline, 'vdevice.py gave no port'
        time.sleep(0.05)
    with open(port_file) as f:
        port = f.read().strip()
    device = mpy_device.SerialDevice(port, tests_dir=FIXTURES, timeout=3,
                                     framework='py')
    device.process = proc
    yield device
    device.drop()
    if proc.poll() is None:
        proc.terminate()
        proc.wait(10)


def check_outcomes(run):
    """test_fx_outcomes reached the host with every outcome intact."""
    res = run.results
    assert run.problem is None, run.output
    assert res['SampleTest.test_pass'].status == 'ok'
    assert res['SampleTest.test_raises'].status == 'ok'
    fail = res['SampleTest.test_fail']
    assert fail.status == 'fail'
    assert 'output before failing' in fail.output
    assert 'AssertionError: [1, 2] != [1, 3]' in fail.output
    assert 'test_fx_outcomes.py", line 11, in test_fail' in fail.output
    error = res['SampleTest.test_error']
    assert error.status == 'error' and 'ValueError: boom' in error.output
    assert res['SampleTest.test_skip'].detail == 'not today'
    assert res['SampleTest.test_skip_decorated'].detail == 'decorated'
    memory = res['SampleTest.test_memory']
    assert memory.status == 'skip'
    assert re.match(r'needs more than \d+ KB of RAM', memory.detail)
    assert res['SkippedTest.test_a'].detail == 'whole class'
    setup = res['BrokenFixtureTest.setUpClass']
    assert setup.status == 'error' and 'setUpClass broke' in setup.output
    assert 'BrokenFixtureTest.test_never' not in res
    assert res['TeardownTest.test_state'].status == 'ok'
    assert run.summary == (3, 3, 4)


# -- the shim and the collection, no device needed ---------------------------

def test_shim_on_cpython(capsys):
    spec = importlib.util.spec_from_file_location(
        'shim_unittest', os.path.join(ROOT, 'tests', 'lib', 'unittest',
                                      '__init__.py'))
    shim = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(shim)
    case = shim.TestCase()
    with case.assertRaises(KeyError) as cm:
        {}['x']
    assert isinstance(cm.exception, KeyError)
    with pytest.raises(AssertionError, match='ValueError not raised'):
        with case.assertRaises(ValueError):
            pass
    with pytest.raises(ZeroDivisionError):  # other errors go through
        with case.assertRaises(KeyError):
            1 / 0
    case.assertAlmostEqual(0.1 + 0.2, 0.3)
    with pytest.raises(AssertionError, match='within 2 places'):
        case.assertAlmostEqual(1.0, 1.1, places=2)
    case.assertAlmostEqual(1.0, 1.05, delta=0.1)
    with pytest.raises(AssertionError, match='custom'):
        case.assertEqual(1, 2, 'custom')
    with pytest.raises(AssertionError, match="'a' not found in"):
        case.assertIn('a', 'xyz')
    for name, args in (('assertGreater', (1, 2)), ('assertLess', (2, 1)),
                       ('assertGreaterEqual', (1, 2)),
                       ('assertLessEqual', (2, 1)), ('assertIs', (1, None)),
                       ('assertIsNot', (None, None)), ('assertIsNone', (0,)),
                       ('assertIsNotNone', (None,)), ('assertTrue', (0,)),
                       ('assertFalse', (1,)), ('assertNotIn', (1, [1])),
                       ('assertIsInstance', (1, str)),
                       ('assertNotEqual', (1, 1))):
        with pytest.raises(AssertionError):
            getattr(case, name)(*args)

    @shim.skip('why')
    class Skipped(shim.TestCase):
        def test_x(self):
            pass

    class Module:
        __name__ = 'fake'
    Module.Skipped = Skipped
    result = shim.main(Module, exit=False)
    assert result.skipped == 1
    out = capsys.readouterr().out
    assert '@@unittest skip Skipped.test_x: why' in out
    assert out.rstrip().endswith('0 passed, 0 failed, 1 skipped')


def test_collection_finds_test_methods_like_unittest():
    source = '''
import unittest
class Base(unittest.TestCase):
    def test_base(self): pass
    def helper(self): pass
class Child(Base):
    def test_child(self): pass
class NotATest:
    def test_no(self): pass
class Other(unittest.TestCase):
    async def test_async(self): pass
'''
    found = device_plugin.test_classes(source)
    assert [(name, [m for m, _ in methods]) for name, _, methods in found] \
        == [('Base', ['test_base']), ('Child', ['test_base', 'test_child']),
            ('Other', ['test_async'])]


def test_collection_follows_a_base_case_imported_from_a_helper():
    source = '''
from server_app import ServerTestCase
class KeepAliveTest(ServerTestCase):
    def test_pipelined(self): pass
class Helper(object):
    def test_not_collected(self): pass
'''
    found = device_plugin.test_classes(source)
    assert [(name, [m for m, _ in methods]) for name, _, methods in found] \
        == [('KeepAliveTest', ['test_pipelined'])]


# -- the unix port -------------------------------------------------------------

def test_unix_outcomes(unix):
    check_outcomes(unix.run_module('test_fx_outcomes').finish())


def test_unix_hung_test_times_out_and_run_goes_on(unix):
    start = time.monotonic()
    run = unix.run_module('test_fx_hang').finish()
    assert time.monotonic() - start < 15
    assert run.results['HangTest.test_a_before'].status == 'ok'
    assert 'timeout' in run.problem and run.running == 'HangTest.test_b_hangs'
    assert 'about to hang' in run.current_output()
    assert 'HangTest.test_c_after' not in run.results
    check_outcomes(unix.run_module('test_fx_outcomes').finish())


def test_unix_import_error(unix):
    run = unix.run_module('test_fx_broken').finish()
    module = run.results['test_fx_broken']
    assert module.status == 'error'
    assert "no module named 'no_such_module_anywhere'" in module.output


def test_unix_small_heap_skips_with_needs():
    device = mpy_device.UnixDevice(tests_dir=FIXTURES, heapsize='64k',
                                   framework='mpy', timeout=10)
    run = device.run_module('test_fx_memory').finish()
    assert run.results['MemoryTest.test_small'].status == 'ok', run.output
    big = run.results['MemoryTest.test_big']
    assert big.status == 'skip'
    assert re.match(r'needs more than \d+ KB of RAM', big.detail)


def test_unix_selection(unix):
    run = unix.run_module('test_fx_simple', ['SimpleTest.test_pass']).finish()
    assert list(run.results) == ['test_fx_simple', 'SimpleTest.setUpClass',
                                 'SimpleTest.test_pass',
                                 'SimpleTest.tearDownClass']


@pytest.mark.skipif(_lib_unittest() is None, reason='needs a MicroPython '
                    'checkout with lib/micropython-lib (MICROPY_DIR)')
def test_micropython_lib_unittest():
    device = mpy_device.UnixDevice(tests_dir=FIXTURES, timeout=10,
                                   unittest_lib=_lib_unittest())
    run = device.run_module('test_fx_simple').finish()
    res = run.results
    assert res['SimpleTest.test_pass'].status == 'ok', run.output
    assert res['SimpleTest.test_fail'].status == 'fail'
    assert "'device'" in res['SimpleTest.test_fail'].output
    assert res['SimpleTest.test_error'].status == 'error'
    assert 'KeyError' in res['SimpleTest.test_error'].output
    assert res['SimpleTest.test_skip'].detail == 'not here'
    assert run.summary == (1, 2, 1)


# -- the virtual board over a pty ----------------------------------------------

def test_board_outcomes_hang_and_recovery(board):
    check_outcomes(board.run_module('test_fx_outcomes').finish())
    start = time.monotonic()
    run = board.run_module('test_fx_hang').finish()
    assert time.monotonic() - start < 20
    assert 'timeout' in run.problem, run.output
    assert 'KeyboardInterrupt' in run.output  # Ctrl-C reached the program
    assert run.results['HangTest.test_a_before'].status == 'ok'
    # The board answers again, in a fresh interpreter.
    check_outcomes(board.run_module('test_fx_outcomes').finish())


def test_board_soft_reset_gives_fresh_interpreter(board):
    board.run_code('import sys\nsys.marker = 1\n')
    out = board.run_code('import sys\nprint(hasattr(sys, "marker"))\n')
    assert out.strip() == 'False'


def test_board_disconnect_fails_cleanly(board):
    run = board.run_module('test_fx_slow')
    killer = threading.Timer(1.0, board.process.send_signal, [signal.SIGKILL])
    killer.start()
    start = time.monotonic()
    run.finish()
    killer.join()
    assert time.monotonic() - start < 10
    assert 'disconnected' in run.problem, run.problem
    assert 'tick 0' in run.current_output()
    # The next module fails at once, with the reason.
    start = time.monotonic()
    run = board.run_module('test_fx_simple').finish()
    assert time.monotonic() - start < 15
    assert run.problem and ('cannot open' in run.problem or
                            'disconnected' in run.problem or
                            'does not answer' in run.problem), run.problem


# -- pytest end to end -------------------------------------------------------

def test_pytest_maps_device_results(tmp_path):
    summary = tmp_path / 'summary.txt'
    out = subprocess.run(
        [sys.executable, '-m', 'pytest', '--device', 'unix',
         '--device-tests', FIXTURES, FIXTURES, '--device-timeout', '3',
         '-rA', '-p', 'no:cacheprovider', '--summary-file', str(summary),
         '-k', 'not test_fx_slow'],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    text = out.stdout
    assert out.returncode == 1, text
    prefix = 'tests-device/fixtures/'
    for node in ('test_fx_outcomes.py::SampleTest::test_fail',
                 'test_fx_outcomes.py::SampleTest::test_error',
                 'test_fx_outcomes.py::BrokenFixtureTest::test_never',
                 'test_fx_hang.py::HangTest::test_b_hangs',
                 'test_fx_broken.py::NeverTest::test_x'):
        assert 'FAILED ' + prefix + node in text, node
    for node in ('test_fx_outcomes.py::SampleTest::test_pass',
                 'test_fx_hang.py::HangTest::test_a_before'):
        assert 'PASSED ' + prefix + node in text, node
    assert 'AssertionError: [1, 2] != [1, 3]' in text
    assert re.search(r'SKIPPED \[1\] .*needs more than \d+ KB of RAM', text)
    assert 'timeout: no result from the device for 3s while running ' \
        'HangTest.test_b_hangs' in text
    line = summary.read_text().strip()
    assert re.match(r'MicroPython unix port \(\.py\): 7 passed, 8 failed, '
                    r'5 skipped \(\d+\.\d s\)$', line), line
