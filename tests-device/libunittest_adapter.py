# Device-side code (not a host module): run one test module with
# micropython-lib's unittest, then report each test in the lines of
# tests/lib/unittest so the host can map results to tests. mpy_device
# appends a call to _run_with_lib(name) and sends it to the device.
import unittest

_M = '@@unittest'


def _compat():
    # micropython-lib's TestCase lacks these, which the project's test
    # conventions allow (docs/testing.md); add them only where missing.
    def greater(self, a, b, msg=None):
        assert a > b, msg or '%r not greater than %r' % (a, b)

    def less(self, a, b, msg=None):
        assert a < b, msg or '%r not less than %r' % (a, b)

    def not_in(self, a, b, msg=None):
        assert a not in b, msg or '%r unexpectedly found in %r' % (a, b)
    for name, func in (('assertGreater', greater), ('assertLess', less),
                       ('assertNotIn', not_in)):
        if not hasattr(unittest.TestCase, name):
            setattr(unittest.TestCase, name, func)
    # micropython-lib's skip decorators turn a decorated class into a
    # function, so its tests are neither run nor reported: keep the class
    # and make each of its tests a skip (setUp and setUpClass not run)
    unittest.skip = _skip
    unittest.skipIf = lambda cond, reason: _skip(reason) if cond else _keep
    unittest.skipUnless = lambda cond, reason: _keep if cond else \
        _skip(reason)


def _keep(obj):
    return obj


def _skip(reason):
    def skipped(*args, **kwargs):
        raise unittest.SkipTest(reason)

    def decorator(obj):
        if not isinstance(obj, type):
            return skipped
        for attr in dir(obj):
            if attr.startswith('test') and callable(getattr(obj, attr)):
                setattr(obj, attr, skipped)
        obj.setUp = lambda self: None
        obj.tearDown = lambda self: None
        obj.setUpClass = classmethod(lambda cls: None)
        obj.tearDownClass = classmethod(lambda cls: None)
        return obj
    return decorator


def _run_with_lib(name):
    _compat()
    print(_M, 'module', name)
    print(_M, 'start', name)
    try:
        mod = __import__(name)
        print(_M, 'ok', name)
        result = unittest.main(mod)
    except Exception as exc:
        sys.print_exception(exc)
        print(_M, 'error', name)
        print('0 passed, 1 failed, 0 skipped')
        return
    bad = {}
    for kind, entries in (('fail', result.failures), ('error', result.errors)):
        for test, text in entries:
            bad[(test[0], test[1].__name__)] = (kind, text)
    skipped = {}
    for test, reason in result.skipped:
        skipped[(test[0], test[1].__name__)] = reason
    passed = 0
    for attr in sorted(dir(mod)):
        cls = getattr(mod, attr)
        if not (isinstance(cls, type) and issubclass(cls, unittest.TestCase)):
            continue
        for meth in sorted(dir(cls)):
            if not meth.startswith('test') or not callable(getattr(cls, meth)):
                continue
            key = (meth, cls.__name__)
            full = '%s.%s' % (cls.__name__, meth)
            print(_M, 'start', full)
            if key in bad:
                print(bad[key][1])
                print(_M, bad[key][0], full)
            elif key in skipped:
                print(_M, 'skip', '%s: %s' % (full, skipped[key]))
            else:
                passed += 1
                print(_M, 'ok', full)
    print('%d passed, %d failed, %d skipped' % (
        passed, result.failuresNum + result.errorsNum, result.skippedNum))
