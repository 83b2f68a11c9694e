"""pytest plugin: run tests/ on MicroPython with `pytest --device SPEC`.

    pytest                            tests/ on CPython
    pytest --device unix              tests/ on the MicroPython unix port
    pytest --device /dev/ttyUSB0      tests/ on a board over serial (any
                                      serial port, also a pty)

With --device, each file of tests/ becomes one run on the device (a fresh
interpreter per module) and each test method one pytest test, with the same
node ids as on CPython (tests/test_x.py::Class::test_y), so -k, -x and node
ids work as usual. Failures show the device's traceback, MemoryError shows
as a skip ('needs N KB'), a hung module fails with a timeout and the run
goes on. tests-device/test_live_*.py then run against a server on the
device. Every run ends with one line: 'PLACE: N passed, N failed, N skipped'.

Loaded by the repository's root conftest.py.
"""
import ast
import os
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import mpy_device  # noqa: E402


# Options of ours that take a value which may be an existing path.
_PATH_OPTIONS = ('--device', '--micropython', '--unittest-lib',
                 '--device-tests', '--summary-file')


def _fix_rootdir(config):
    """pytest picks its root directory and ini file before it knows our
    options, so in `pytest --device /dev/ttyUSB0` it takes /dev/ttyUSB0 for
    a test path and the root for /dev (pytest issues 8846, 13913). When
    this plugin is installed as an entry point it is loaded in time to
    decide again without the option values."""
    if config is None:
        return
    try:
        from _pytest.config.findpaths import determine_setup
        args = list(config.invocation_params.args)
        clean = []
        skip = False
        for arg in args:
            if skip:
                skip = False
                continue
            if arg in _PATH_OPTIONS:
                skip = True
                continue
            clean.append(arg)
        if len(clean) == len(args):
            return
        ns = config.known_args_namespace
        rootpath, inipath, inicfg, _ignored = determine_setup(
            inifile=None, override_ini=ns.override_ini,
            args=[a for a in clean if not a.startswith('-')],
            rootdir_cmd_arg=ns.rootdir or None,
            invocation_dir=config.invocation_params.dir)
        if inipath is None:
            return
        config._rootpath, config._inipath, config._inicfg = (
            rootpath, inipath, inicfg)
        config._parser.extra_info['rootdir'] = str(rootpath)
        config._parser.extra_info['inifile'] = str(inipath)
    except Exception:  # another pytest: then only --device=PORT works
        pass


def pytest_addoption(parser, pluginmanager):
    _fix_rootdir(pluginmanager.get_plugin('pytestconfig'))
    group = parser.getgroup('device', 'running tests/ on MicroPython')
    group.addoption('--device', metavar='SPEC',
                    help="'unix' for the MicroPython unix port, or a serial "
                    "port (/dev/ttyUSB0, /dev/pts/N) of a board")
    group.addoption('--micropython', metavar='PATH',
                    help='unix port binary (default: $MICROPYTHON, then '
                    '.venv/bin/micropython, then PATH)')
    group.addoption('--heapsize', metavar='SIZE',
                    help='unix port heap, e.g. 64k, to act like a small '
                    'board')
    group.addoption('--framework', choices=('py', 'mpy'),
                    help='load the framework from modules/ (py) or from '
                    'build/mpy/ compiled by mpy-cross (mpy); default py on '
                    'the unix port, mpy on a board. A framework frozen '
                    'into the image always wins.')
    group.addoption('--unittest-lib', metavar='DIR',
                    help="use this unittest package (micropython-lib's "
                    'python-stdlib/unittest) instead of tests/lib')
    group.addoption('--device-timeout', type=float,
                    default=mpy_device.DEFAULT_TIMEOUT, metavar='SECONDS',
                    help='a test that reports nothing for this long is '
                    'hung (default %(default)s)')
    group.addoption('--baud', type=int, default=115200,
                    help='serial baud rate (default %(default)s)')
    group.addoption('--device-tests', metavar='DIR',
                    default=os.path.join(ROOT, 'tests'),
                    help='directory whose test_*.py run on the device '
                    '(default tests/)')
    group.addoption('--place', metavar='LABEL',
                    help='name of this run in the summary line')
    group.addoption('--summary-file', metavar='FILE',
                    help='append the summary line to FILE')


class DeviceSession:
    """The device of this pytest session and the module running on it."""

    def __init__(self, config):
        self.config = config
        self.spec = config.getoption('device')
        self.tests_dir = os.path.abspath(config.getoption('device_tests'))
        self.device = None
        self.error = None
        self.current = None
        self.selected = {}      # module path -> [item names] after -k etc.

    def open(self):
        if self.device is None and self.error is None:
            opt = self.config.getoption
            try:
                self.device = mpy_device.open_device(
                    self.spec, micropython=opt('micropython'),
                    heapsize=opt('heapsize'), framework=opt('framework'),
                    tests_dir=self.tests_dir,
                    unittest_lib=opt('unittest_lib'),
                    timeout=opt('device_timeout'), baudrate=opt('baud'))
            except mpy_device.DeviceError as exc:
                self.error = str(exc)
        if self.error:
            raise mpy_device.DeviceError(self.error)
        return self.device

    def run_for(self, module_node):
        name = os.path.splitext(module_node.path.name)[0]
        if self.current is not None:
            if self.current.module == name:
                return self.current
            self.current.finish()
        try:
            device = self.open()
        except mpy_device.DeviceError as exc:
            self.current = mpy_device._failed_run(name, str(exc))
            return self.current
        wanted = self.selected.get(str(module_node.path))
        select = None
        if wanted is not None and len(wanted) < module_node.item_count:
            select = sorted(wanted)
        echo = None
        if self.config.getoption('capture') == 'no':
            def echo(text):
                sys.stdout.write(text)
                sys.stdout.flush()
        self.current = device.run_module(name, select, echo)
        return self.current

    def close(self, interrupted=False):
        if self.current is not None:
            if interrupted:
                self.current.abort('interrupted')
            else:
                self.current.finish()
            self.current = None
        if self.device is not None:
            self.device.close()
            self.device = None


def _session(config):
    return config.stash.get(_KEY, None)


_KEY = pytest.StashKey()


def pytest_configure(config):
    config.addinivalue_line(
        'markers', 'device: needs a live device (pytest --device SPEC)')
    config.stash[_START] = time.monotonic()
    if config.getoption('device'):
        config.stash[_KEY] = DeviceSession(config)


_START = pytest.StashKey()


def pytest_sessionfinish(session, exitstatus):
    state = _session(session.config)
    if state is not None:
        state.close(interrupted=exitstatus == pytest.ExitCode.INTERRUPTED)


def pytest_unconfigure(config):
    session = _session(config)
    if session is not None:
        session.close()


def pytest_report_header(config):
    session = _session(config)
    if session is None:
        return 'tests run on CPython %s (pytest --device SPEC runs them on ' \
            'MicroPython)' % sys.version.split()[0]
    try:
        return 'device: ' + session.open().describe()
    except Exception as exc:
        return 'device: %s (%s)' % (session.spec, exc)


def _explicit(config, path):
    """True if `path` (or a file in it) was named on the command line."""
    path = os.path.abspath(str(path))
    for arg in config.args:
        arg = os.path.abspath(arg.split('::')[0])
        if arg == path or arg.startswith(path + os.sep):
            return True
    return False


def pytest_ignore_collect(collection_path, config):
    path = str(collection_path)
    session = _session(config)
    fixtures = os.path.join(HERE, 'fixtures')
    if path == fixtures or path.startswith(fixtures + os.sep):
        return not (session and (path + os.sep).startswith(
            session.tests_dir + os.sep))
    name = os.path.basename(path)
    if os.path.dirname(path) == HERE and name.startswith('test_'):
        # Live-device tests come with --device; the harness's own tests
        # (test_harness*.py) only when named on the command line.
        if name.startswith('test_live') and session is not None:
            return None
        return not _explicit(config, path)
    if path == os.path.join(ROOT, 'tests', 'lib'):
        return True
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makemodule(module_path, parent):
    session = _session(parent.config)
    if session is None:
        return None
    if os.path.dirname(str(module_path)) != session.tests_dir:
        return None
    return DeviceModule.from_parent(parent, path=module_path)


def pytest_collection_finish(session):
    state = _session(session.config)
    if state is None:
        return
    for item in session.items:
        if isinstance(item, DeviceItem):
            state.selected.setdefault(str(item.path), []).append(
                item.test_name)


# -- collection ----------------------------------------------------------------

def test_classes(source, filename='<test module>'):
    """[(class name, line, [(method, line), ...])] of the TestCase classes
    in a module's source, found without importing it (the device runs it).
    Sorted by name, the order tests/lib/unittest runs them in."""
    tree = ast.parse(source, filename)
    classes = {node.name: node for node in tree.body
               if isinstance(node, ast.ClassDef)}

    def base_names(node):
        for base in node.bases:
            if isinstance(base, ast.Attribute):
                yield base.attr
            elif isinstance(base, ast.Name):
                yield base.id

    def is_test(name, seen=()):
        node = classes.get(name)
        if node is None or name in seen:
            return False
        for base in base_names(node):
            # a base imported from a helper module (ServerTestCase) can not
            # be followed here: its name is taken at its word
            if base.endswith('TestCase') or is_test(base, seen + (name,)):
                return True
        return False

    def methods(name, seen=()):
        node = classes.get(name)
        if node is None or name in seen:
            return {}
        found = {}
        for base in base_names(node):
            found.update(methods(base, seen + (name,)))
        for item in node.body:
            if (isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                    and item.name.startswith('test')):
                found[item.name] = item.lineno
        return found

    result = []
    for name in sorted(classes):
        if is_test(name):
            found = methods(name)
            if found:
                result.append((name, classes[name].lineno,
                               sorted(found.items())))
    return result


class DeviceTestFailure(Exception):
    """A test failed on the device; the text is the device's report."""


class DeviceModule(pytest.File):
    def collect(self):
        with open(self.path, encoding='utf-8') as f:
            source = f.read()
        try:
            classes = test_classes(source, str(self.path))
        except SyntaxError as exc:
            raise self.CollectError('%s: CPython cannot parse it to find its '
                                    'tests: %s' % (self.path, exc))
        self.item_count = sum(len(methods) for _n, _l, methods in classes)
        self.last_item = None
        for name, line, methods in classes:
            yield DeviceClass.from_parent(self, name=name, line=line,
                                          methods=methods)


class DeviceClass(pytest.Collector):
    def __init__(self, *, line, methods, **kwargs):
        super().__init__(**kwargs)
        self.line = line
        self.methods = methods

    def collect(self):
        for method, line in self.methods:
            yield DeviceItem.from_parent(self, name=method, line=line)

    def reportinfo(self):
        return self.path, self.line - 1, self.name


class DeviceItem(pytest.Item):
    def __init__(self, *, line, **kwargs):
        super().__init__(**kwargs)
        self.line = line
        self.test_name = '%s.%s' % (self.parent.name, self.name)

    @property
    def module_node(self):
        return self.parent.parent

    def runtest(self):
        state = _session(self.config)
        run = state.run_for(self.module_node)
        result = run.wait_for(self.test_name)
        if result is None:
            result = self._fallback(run)
        if result.output and result.status in ('ok', 'skip'):
            self.add_report_section('call', 'device output', result.output)
        if result.status == 'skip':
            pytest.skip(result.detail or 'skipped on the device')
        if result.status in ('fail', 'error'):
            raise DeviceTestFailure('%s on %s:\n%s' % (
                'FAILED' if result.status == 'fail' else 'ERROR',
                state.spec, result.output))
        self._class_teardown(run)

    def _fallback(self, run):
        """No line for this test: say why, from what the device did say."""
        cls = self.parent.name
        Result = mpy_device.Result
        setup = run.results.get(cls + '.setUpClass')
        if setup is not None and setup.status in ('fail', 'error'):
            return Result('error', None, '%s.setUpClass failed:\n%s' % (
                cls, setup.output))
        module = run.results.get(run.module)
        if module is not None and module.status == 'skip':
            return Result('skip', module.detail, '')
        if module is not None and module.status != 'ok':
            return Result('error', None, 'importing %s failed on the '
                          'device:\n%s' % (run.module, module.output))
        if run.problem:
            text = 'the module did not finish: %s' % run.problem
            if run.running == self.test_name:
                text += '\nthis test was running; its output:\n%s' % (
                    run.current_output())
            elif run.running:
                text += '\n(%s was running)' % run.running
            return Result('error', None, text)
        return Result('error', None, 'the device did not report this test; '
                      'its output was:\n%s' % run.output[-4000:])

    def _class_teardown(self, run):
        """On the last test of a class, a failing tearDownClass fails it."""
        if self.parent.methods[-1][0] != self.name:
            return
        end = run.wait_for(self.parent.name + '.tearDownClass')
        if end is not None and end.status in ('fail', 'error'):
            raise DeviceTestFailure('%s.tearDownClass failed on the device:'
                                    '\n%s' % (self.parent.name, end.output))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, DeviceTestFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, self.line - 1, self.test_name


# -- the one summary line ------------------------------------------------------

def _place(config):
    label = config.getoption('place')
    if label:
        return label
    spec = config.getoption('device')
    if not spec:
        return 'CPython %s' % sys.version.split()[0]
    framework = config.getoption('framework') or (
        'py' if spec == 'unix' else 'mpy')
    where = 'unix port' if spec == 'unix' else spec
    if config.getoption('unittest_lib'):
        return 'MicroPython %s (micropython-lib unittest)' % where
    return 'MicroPython %s (.%s)' % (where, framework)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    stats = terminalreporter.stats

    def count(key):
        return len([r for r in stats.get(key, [])
                    if getattr(r, 'when', 'call') != 'teardown'
                    or key == 'error'])
    passed = count('passed')
    failed = count('failed') + count('error')
    skipped = count('skipped')
    seconds = time.monotonic() - config.stash.get(_START, time.monotonic())
    line = '%s: %d passed, %d failed, %d skipped' % (
        _place(config), passed, failed, skipped)
    terminalreporter.write_line('%s (%.1f s)' % (line, seconds), bold=True,
                                green=not failed and exitstatus == 0,
                                red=bool(failed) or exitstatus not in (0, 5))
    target = config.getoption('summary_file')
    if target:
        with open(target, 'a') as f:
            f.write('%s (%.1f s)%s\n' % (
                line, seconds, '' if exitstatus in (0, 5) or failed else
                ' [pytest exit status %d]' % exitstatus))
