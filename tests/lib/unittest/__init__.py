"""A small unittest-compatible module for MicroPython.

On CPython the standard library's unittest is used; this shim is only put on
sys.path by the MicroPython runners (tests/lib). It supports the subset of
unittest the project's tests may use: TestCase with setUp/tearDown,
setUpClass/tearDownClass, the assert* methods listed in docs/testing.md,
skipTest/fail, the skip/skipIf/skipUnless decorators and main().

main() prints one machine-readable line per test and a last line of the form
'N passed, N failed, N skipped':

    @@unittest module test_foo
    @@unittest start FooTest.test_bar
    ...whatever the test prints, then its traceback if it failed...
    @@unittest ok FooTest.test_bar          (or fail / error / skip: REASON)
    3 passed, 1 failed, 0 skipped

A test that raises MemoryError is reported as skipped ('needs more than N KB
of RAM'): it needs more RAM than this interpreter has, which is not a bug in
the code.
"""
import sys

try:
    import gc
except ImportError:  # pragma: no cover
    gc = None

MARK = '@@unittest'
_REPR_MAX = 300


class SkipTest(Exception):
    """Raise to skip the current test (or a whole class or module)."""


def _repr(obj):
    text = repr(obj)
    if len(text) > _REPR_MAX:
        text = text[:_REPR_MAX] + '...'
    return text


class _AssertRaises:
    def __init__(self, test, expected):
        self.test = test
        self.expected = expected
        self.exception = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            name = getattr(self.expected, '__name__', str(self.expected))
            self.test.fail('%s not raised' % name)
        if not issubclass(exc_type, self.expected):
            return False
        self.exception = exc
        return True


class TestCase:
    """Base class of a test case; each method named test* is one test."""

    def __init__(self, methodName='runTest'):
        self._testMethodName = methodName

    def id(self):
        return '%s.%s' % (type(self).__name__, self._testMethodName)

    def __str__(self):
        return '%s (%s)' % (self._testMethodName, type(self).__name__)

    def setUp(self):
        pass

    def tearDown(self):
        pass

    @classmethod
    def setUpClass(cls):
        pass

    @classmethod
    def tearDownClass(cls):
        pass

    def skipTest(self, reason):
        raise SkipTest(reason)

    def fail(self, msg=None):
        raise AssertionError(msg if msg is not None else 'fail')

    def _check(self, ok, default, msg):
        if not ok:
            raise AssertionError(msg if msg is not None else default)

    def assertEqual(self, first, second, msg=None):
        self._check(first == second,
                    '%s != %s' % (_repr(first), _repr(second)), msg)

    def assertNotEqual(self, first, second, msg=None):
        self._check(first != second,
                    '%s == %s' % (_repr(first), _repr(second)), msg)

    def assertTrue(self, expr, msg=None):
        self._check(expr, '%s is not true' % _repr(expr), msg)

    def assertFalse(self, expr, msg=None):
        self._check(not expr, '%s is not false' % _repr(expr), msg)

    def assertIs(self, first, second, msg=None):
        self._check(first is second,
                    '%s is not %s' % (_repr(first), _repr(second)), msg)

    def assertIsNot(self, first, second, msg=None):
        self._check(first is not second,
                    'unexpectedly identical: %s' % _repr(first), msg)

    def assertIsNone(self, obj, msg=None):
        self._check(obj is None, '%s is not None' % _repr(obj), msg)

    def assertIsNotNone(self, obj, msg=None):
        self._check(obj is not None, 'unexpectedly None', msg)

    def assertIn(self, member, container, msg=None):
        self._check(member in container, '%s not found in %s' % (
            _repr(member), _repr(container)), msg)

    def assertNotIn(self, member, container, msg=None):
        self._check(member not in container, '%s unexpectedly found in %s' % (
            _repr(member), _repr(container)), msg)

    def assertIsInstance(self, obj, cls, msg=None):
        self._check(isinstance(obj, cls), '%s is not an instance of %r' % (
            _repr(obj), cls), msg)

    def assertGreater(self, a, b, msg=None):
        self._check(a > b, '%s not greater than %s' % (_repr(a), _repr(b)),
                    msg)

    def assertGreaterEqual(self, a, b, msg=None):
        self._check(a >= b, '%s not greater than or equal to %s' % (
            _repr(a), _repr(b)), msg)

    def assertLess(self, a, b, msg=None):
        self._check(a < b, '%s not less than %s' % (_repr(a), _repr(b)), msg)

    def assertLessEqual(self, a, b, msg=None):
        self._check(a <= b, '%s not less than or equal to %s' % (
            _repr(a), _repr(b)), msg)

    def assertAlmostEqual(self, first, second, places=None, msg=None,
                          delta=None):
        if first == second:
            return
        diff = abs(first - second)
        if delta is not None:
            if places is not None:
                raise TypeError('specify delta or places, not both')
            self._check(diff <= delta, '%s != %s within %s delta' % (
                _repr(first), _repr(second), _repr(delta)), msg)
        else:
            places = 7 if places is None else places
            self._check(round(diff, places) == 0, '%s != %s within %d places' % (
                _repr(first), _repr(second), places), msg)

    def assertRaises(self, expected, *args, **kwargs):
        """assertRaises(exc) as a context manager, or
        assertRaises(exc, func, *args, **kwargs)."""
        context = _AssertRaises(self, expected)
        if not args:
            return context
        func = args[0]
        with context:
            func(*args[1:], **kwargs)
        return context


def skip(reason):
    """Decorator: always skip a test method or a TestCase class."""
    def decorator(obj):
        if isinstance(obj, type):
            obj.__unittest_skip__ = reason
            return obj

        def skipped(*args, **kwargs):
            raise SkipTest(reason)
        return skipped
    return decorator


def _keep(obj):
    return obj


def skipIf(condition, reason):
    """Decorator: skip when condition is true."""
    return skip(reason) if condition else _keep


def skipUnless(condition, reason):
    """Decorator: skip unless condition is true."""
    return skip(reason) if not condition else _keep


def _print_exception(exc):
    if hasattr(sys, 'print_exception'):
        sys.print_exception(exc)
    else:  # CPython, when the shim itself is under test
        import traceback
        traceback.print_exception(type(exc), exc, exc.__traceback__,
                                  file=sys.stdout)


def _free():
    """Free heap after a collection (None where gc cannot tell)."""
    if gc is None or not hasattr(gc, 'mem_free'):
        return None
    gc.collect()
    return gc.mem_free()


def _memory_reason(exc, free_before):
    """The skip reason for a MemoryError: the test needs more RAM than was
    free when it started."""
    if free_before is None:
        return 'needs more RAM than this interpreter has (MemoryError: %s)' % (
            exc,)
    return 'needs more than %d KB of RAM, %d KB were free (MemoryError: %s)' % (
        free_before // 1024, free_before // 1024, exc)


class TestResult:
    """Counts of one run; `failures` holds the names of failed tests."""

    def __init__(self):
        self.passed = 0
        self.skipped = 0
        self.failures = []

    @property
    def testsRun(self):
        return self.passed + self.skipped + len(self.failures)

    def wasSuccessful(self):
        return not self.failures

    def summary(self):
        return '%d passed, %d failed, %d skipped' % (
            self.passed, len(self.failures), self.skipped)


def _report(status, name, detail=None):
    if detail is None:
        print('%s %s %s' % (MARK, status, name))
    else:
        print('%s %s %s: %s' % (MARK, status, name,
                                str(detail).replace('\n', ' ')))


def _collect():
    if gc is not None:
        gc.collect()


def _run_guarded(result, name, func, *args):
    """Run a class fixture; report its outcome (a failure counts once)."""
    free = _free()
    try:
        func(*args)
        _report('ok', name)
        return True
    except SkipTest as exc:
        result.skipped += 1
        _report('skip', name, exc.args[0] if exc.args else '')
    except MemoryError as exc:
        result.skipped += 1
        _report('skip', name, _memory_reason(exc, free))
    except AssertionError as exc:
        _print_exception(exc)
        result.failures.append(name)
        _report('fail', name)
    except Exception as exc:
        _print_exception(exc)
        result.failures.append(name)
        _report('error', name)
    return False


def _run_one(result, cls, method):
    name = '%s.%s' % (cls.__name__, method)
    print('%s start %s' % (MARK, name))
    test = cls(method)
    status = 'ok'
    free = _free()
    try:
        test.setUp()
        try:
            getattr(test, method)()
        finally:
            test.tearDown()
    except SkipTest as exc:
        status = 'skip'
        detail = exc.args[0] if exc.args else ''
    except MemoryError as exc:
        test = None
        _collect()
        status = 'skip'
        detail = _memory_reason(exc, free)
    except AssertionError as exc:
        _print_exception(exc)
        status = 'fail'
    except Exception as exc:
        _print_exception(exc)
        status = 'error'
    if status == 'ok':
        result.passed += 1
        _report('ok', name)
    elif status == 'skip':
        result.skipped += 1
        _report('skip', name, detail)
    else:
        result.failures.append(name)
        _report(status, name)
    test = None
    _collect()


def _test_methods(cls):
    return sorted(name for name in dir(cls)
                  if name.startswith('test') and callable(getattr(cls, name)))


def _test_classes(module):
    found = []
    for name in dir(module):
        obj = getattr(module, name)
        if (isinstance(obj, type) and issubclass(obj, TestCase)
                and obj is not TestCase):
            found.append((name, obj))
    found.sort()
    return [cls for _name, cls in found]


def _selected(select, cls, method):
    if select is None:
        return True
    return cls.__name__ in select or (
        '%s.%s' % (cls.__name__, method)) in select


def _run_class(result, cls, select):
    methods = [m for m in _test_methods(cls) if _selected(select, cls, m)]
    if not methods:
        return
    reason = getattr(cls, '__unittest_skip__', None)
    if reason is not None:
        for method in methods:
            result.skipped += 1
            _report('skip', '%s.%s' % (cls.__name__, method), reason)
        return
    name = cls.__name__ + '.setUpClass'
    print('%s start %s' % (MARK, name))
    free = _free()
    try:
        cls.setUpClass()
        _report('ok', name)
    except SkipTest as exc:
        for method in methods:
            result.skipped += 1
            _report('skip', '%s.%s' % (cls.__name__, method),
                    exc.args[0] if exc.args else '')
        return
    except MemoryError as exc:
        _collect()
        reason = _memory_reason(exc, free)
        for method in methods:
            result.skipped += 1
            _report('skip', '%s.%s' % (cls.__name__, method), reason)
        return
    except Exception as exc:
        _print_exception(exc)
        result.failures.append(name)
        _report('error', name)
        return
    for method in methods:
        _run_one(result, cls, method)
    name = cls.__name__ + '.tearDownClass'
    print('%s start %s' % (MARK, name))
    _run_guarded(result, name, cls.tearDownClass)


def run_module(module, select=None):
    """Run every test of `module` (a module object or its name) and return a
    TestResult. `select` limits the run to names like 'Class' or
    'Class.method'."""
    result = TestResult()
    name = module if isinstance(module, str) else module.__name__
    print('%s module %s' % (MARK, name))
    if isinstance(module, str):
        print('%s start %s' % (MARK, name))
        free = _free()
        try:
            module = __import__(name)
            _report('ok', name)
        except SkipTest as exc:
            result.skipped += 1
            _report('skip', name, exc.args[0] if exc.args else '')
            return result
        except MemoryError as exc:
            result.skipped += 1
            _collect()
            _report('skip', name, _memory_reason(exc, free))
            return result
        except Exception as exc:
            _print_exception(exc)
            result.failures.append(name)
            _report('error', name)
            return result
    for cls in _test_classes(module):
        _run_class(result, cls, select)
    return result


def main(module='__main__', defaultTest=None, exit=True):
    """Run the tests of a module (object or name) and print the results.

    defaultTest: a name or list of names ('Class' or 'Class.method') to
    run instead of every test. With exit=True, sys.exit(1) on failures."""
    if isinstance(module, str) and module in sys.modules:
        module = sys.modules[module]
    select = defaultTest
    if isinstance(select, str):
        select = [select]
    result = run_module(module, select)
    print(result.summary())
    if exit and not result.wasSuccessful():
        sys.exit(1)
    return result
