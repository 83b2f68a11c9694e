"""How the framework is compiled to .mpy (tools/mpy_compile.py and helpers):

    pytest tests-device/test_mpy_bundle.py

The package's ``# mpy-bundle:`` modules go into its ``__init__.mpy``, no
separate .mpy is left for them, their names still import on MicroPython,
and what would change behaviour in a bundle is refused with the reason.
The name-table seed (tools/mpy_qstr_order.py) leaves small modules alone
and makes a large one take less heap on MicroPython, and so does leaving
out the CPython branches (tools/mpy_fold.py).
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, 'tools'))
import mpy_bundle  # noqa: E402
import mpy_compile  # noqa: E402
import mpy_fold  # noqa: E402
import mpy_qstr_order  # noqa: E402

MICROPYTHON = os.path.join(os.path.dirname(sys.executable), 'micropython')
CORE = mpy_bundle.bundled_modules(os.path.join(ROOT, 'modules', 'microdot'))


def write(folder, name, text):
    with open(os.path.join(folder, name), 'w') as f:
        f.write(text)


class RealPackageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix='bundle-test-')
        cls.out = os.path.join(cls.tmp, 'mpy')
        mpy_compile.compile_tree(os.path.join(ROOT, 'modules'), cls.out,
                                 lines=False)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def run_mp(self, code, path=None):
        """``code`` run by the MicroPython unix port with ``path`` (default:
        the compiled tree) first on its path."""
        return subprocess.run(
            [MICROPYTHON, '-c', 'import sys\nsys.path.insert(0, %r)\n%s' % (
                path or self.out, code)], capture_output=True, text=True,
            timeout=60)

    def test_core_listed_in_import_order(self):
        self.assertEqual(CORE[0], 'exceptions')
        self.assertIn('request', CORE)
        self.assertEqual(CORE[-1], 'microdot')

    def test_no_separate_mpy_for_bundled_modules(self):
        names = os.listdir(os.path.join(self.out, 'microdot'))
        self.assertIn('__init__.mpy', names)
        self.assertIn('server.mpy', names)  # not bundled: loaded to serve
        for module in CORE:
            self.assertNotIn(module + '.mpy', names)

    @unittest.skipUnless(os.path.exists(MICROPYTHON),
                         'no MicroPython unix port in the venv: make venv')
    def test_bundled_names_import_on_micropython(self):
        out = self.run_mp(
            'import microdot, microdot.request\n'
            'from microdot.microdot import Microdot, redirect, MultiDict\n'
            'from microdot.helpers import wraps, invoke_handler\n'
            'from microdot.request import Request\n'
            'from microdot.response import Response\n'
            'from microdot.connection import Connection\n'
            'from microdot import errors\n'
            'print(microdot.request is microdot, Request is microdot.Request,'
            ' Response is microdot.Response, MultiDict.__name__,'
            ' errors.__name__, Microdot().url_map)\n')
        self.assertEqual(out.stdout.split(), [
            'True', 'True', 'True', 'MultiDict', 'microdot.errors', '[]'],
            out.stderr)

    @unittest.skipUnless(os.path.exists(MICROPYTHON),
                         'no MicroPython unix port in the venv: make venv')
    def test_wire_and_server_load_when_serving_starts(self):
        code = (
            'import microdot, sys\n'
            'print("microdot.connection" in sys.modules,'
            ' "microdot.server" in sys.modules)\n'
            'import asyncio\n'
            'from microdot.test_client import TestClient\n'
            'app = microdot.Microdot()\n'
            'app.route("/")(lambda req: "hi")\n'
            'res = asyncio.run(TestClient(app).get("/"))\n'
            'print(res.text, "microdot.connection" in sys.modules)\n')
        for path in (self.out, os.path.join(ROOT, 'modules')):  # .mpy, .py
            out = self.run_mp(code, path)
            self.assertEqual(out.stdout.split(), ['False', 'False', 'hi',
                                                  'True'], out.stderr)

    @unittest.skipUnless(os.path.exists(MICROPYTHON),
                         'no MicroPython unix port in the venv: make venv')
    def test_tracebacks_name_the_package(self):
        out = self.run_mp('from microdot import NoCaseDict\n'
                          'NoCaseDict()["missing"]\n')
        printed = out.stdout + out.stderr  # the unix port: to stdout
        self.assertIn('File "microdot", line 1, in __getitem__', printed)
        self.assertIn('KeyError', printed)

    @unittest.skipUnless(os.path.exists(MICROPYTHON),
                         'no MicroPython unix port in the venv: make venv')
    def test_tables_stay_under_their_next_size(self):
        # MicroPython grows a table of names from 23 slots to 29 and from
        # 17 to 23 (16 B a slot on a 64-bit port): these classes are kept
        # at the smaller size. The package's globals, 59 slots, also take
        # the submodules loaded later (server, errors, body, ...): kept
        # with room for 11 of them, so that serving does not grow the
        # table to 73 slots (1.2 KB in one piece, on a heap that is by
        # then fragmented: it was what failed first in small heaps)
        limits = {'microdot': 48, 'Request': 23, 'Response': 23,
                  'Connection': 23, 'Microdot': 17, 'NoCaseDict': 17}
        out = self.run_mp(
            'import microdot\n'
            'from microdot.connection import Connection\n'
            'from microdot import Request, Response, Microdot, NoCaseDict\n'
            'print(len(microdot.__dict__), len(Request.__dict__), '
            'len(Response.__dict__), len(Connection.__dict__), '
            'len(Microdot.__dict__), len(NoCaseDict.__dict__))\n')
        sizes = dict(zip(limits, map(int, out.stdout.split())))
        for name, limit in limits.items():
            self.assertLessEqual(sizes[name], limit, '%s holds %d names: '
                                 'one more slot size costs heap on every '
                                 'board (see the comment here)' % (
                                     name, sizes[name]))

    def test_lines_mode_keeps_modules_apart(self):
        out = os.path.join(self.tmp, 'lines')
        mpy_compile.compile_tree(os.path.join(ROOT, 'modules'), out,
                                 lines=True)
        names = os.listdir(os.path.join(out, 'microdot'))
        for module in CORE:
            self.assertIn(module + '.mpy', names)


class RefusalTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='bundle-refuse-')
        self.pkg = os.path.join(self.tmp, 'pkg')
        os.mkdir(self.pkg)
        self.write_package()

    def write_package(self):
        write(self.pkg, 'a.py', 'X = 1\n\n\ndef f():\n    return X\n')
        write(self.pkg, 'b.py', 'from .a import X, f\nif X:\n'
              '    from .a import f\nY = f() + 1\n')
        write(self.pkg, '__init__.py', '# mpy-bundle: a\n# mpy-bundle: b\n'
              'from .b import Y\n')

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def bundle(self):
        return mpy_bundle.bundle_source(self.pkg)

    def test_bundles_in_order_without_inner_imports(self):
        text, members = self.bundle()
        self.assertEqual(members, ['a', 'b'])
        self.assertNotIn('from .a', text)
        self.assertNotIn('from .b', text)
        namespace = {'__name__': 'pkg'}
        sys.modules['pkg'] = type(sys)('pkg')
        try:
            exec(compile(text, 'bundle', 'exec'), namespace)
            self.assertEqual(namespace['Y'], 2)
            self.assertIs(sys.modules['pkg.a'], sys.modules['pkg'])
        finally:
            for name in ('pkg', 'pkg.a', 'pkg.b'):
                sys.modules.pop(name, None)

    def test_refused_with_the_reason(self):
        for name, text, reason in (
                ('__init__.py', '# mpy-bundle: b a\n', 'import order'),
                ('b.py', 'X = 2\n', "both bind 'X'"),
                ('b.py', 'from .a import X as Z\n', 'as Z'),
                ('b.py', 'from . import a\n', 'from . import a'),
                ('__init__.py', '# mpy-bundle: a c\n', 'c, which')):
            with self.subTest(text):
                self.write_package()
                write(self.pkg, name, text)
                with self.assertRaisesRegex(mpy_bundle.BundleError, reason):
                    self.bundle()

    def test_same_text_twice_is_fine(self):
        write(self.pkg, 'b.py', 'from .a import X\nX = 1\n')
        write(self.pkg, 'a.py', 'X = 1\n')
        self.assertEqual(self.bundle()[1], ['a', 'b'])

    def test_no_marker_no_bundle(self):
        write(self.pkg, '__init__.py', 'from .b import Y\n')
        self.assertIsNone(self.bundle())

    def test_recompiled_when_a_member_changes(self):
        out = os.path.join(self.tmp, 'out')
        self.assertEqual(mpy_compile.compile_tree(self.tmp, out,
                                                  lines=False), 1)
        self.assertEqual(os.listdir(os.path.join(out, 'pkg')),
                         ['__init__.mpy'])
        self.assertEqual(mpy_compile.compile_tree(self.tmp, out,
                                                  lines=False), 0)
        later = time.time() + 5
        os.utime(os.path.join(self.pkg, 'a.py'), (later, later))
        self.assertEqual(mpy_compile.compile_tree(self.tmp, out,
                                                  lines=False), 1)


def import_heap(files, module):
    """Heap that importing ``module`` takes on the MicroPython unix port,
    from ``files`` ({path: source}) compiled with mpy-cross -O3."""
    tmp = tempfile.mkdtemp(prefix='mpy-heap-')
    try:
        for path, text in files.items():
            source = os.path.join(tmp, path)
            os.makedirs(os.path.dirname(source), exist_ok=True)
            with open(source, 'w') as f:
                f.write(text)
            subprocess.run([mpy_compile.find_mpy_cross(), '-O3', '-o',
                            source[:-3] + '.mpy', source], check=True)
            os.remove(source)
        out = subprocess.run([MICROPYTHON, '-c', (
            'import gc, sys\nsys.path.insert(0, %r)\ngc.collect()\n'
            'a = gc.mem_alloc()\nimport %s\ngc.collect()\n'
            'print(gc.mem_alloc() - a)\n') % (tmp, module)],
            capture_output=True, text=True, timeout=60)
        return int(out.stdout)
    finally:
        shutil.rmtree(tmp)


# 200 strings at module level take the first indices of the name table;
# the function then uses 40 other names (attributes), each 10 times
MANY_NAMES = 'V = [%s]\n' % ', '.join("'v%d'" % i for i in range(200)) + (
    '\n\ndef f(o):\n    return [%s]\n' % ', '.join(
        'o.hot%d' % (i % 40) for i in range(400)))


class QstrOrderTest(unittest.TestCase):
    def test_small_module_unchanged(self):
        text = 'def f(x):\n    return x.a + len(x)\n'
        self.assertEqual(mpy_qstr_order.seed(text), text)

    def test_seed_lists_the_most_used_names_first(self):
        seeded = mpy_qstr_order.seed(MANY_NAMES)
        self.assertTrue(seeded.endswith(MANY_NAMES))
        head = seeded[:len(seeded) - len(MANY_NAMES)]
        self.assertIn('__name__.hot0,', head)
        self.assertIn('__name__.hot39,', head)
        self.assertNotIn('v150', head)  # module level: used once, freed
        counts = mpy_qstr_order.name_counts(MANY_NAMES)
        self.assertEqual(counts['hot7'], 10)
        self.assertEqual(counts['f'], 1)
        self.assertEqual(counts['o'], 1)  # the argument, in the prelude

    def test_locals_are_not_names(self):
        counts = mpy_qstr_order.name_counts(
            'def f(a):\n    b = a\n    return b + c + len(b)\n')
        self.assertNotIn('b', counts)
        self.assertEqual(counts['c'], 1)
        self.assertEqual(counts['len'], 1)

    @unittest.skipUnless(os.path.exists(MICROPYTHON),
                         'no MicroPython unix port in the venv: make venv')
    def test_seeded_module_takes_less_heap(self):
        heaps = [import_heap({'m.py': text}, 'm') for text in (
            MANY_NAMES, mpy_qstr_order.seed(MANY_NAMES))]
        # 400 references in one byte instead of two, less what rounding
        # to heap blocks takes back
        self.assertLess(heaps[1], heaps[0] - 256, heaps)


# a function with a CPython branch that uses 60 names of its own
CPYTHON_BRANCH = (
    'from .helpers import MICROPYTHON\n\n\ndef f(o):\n'
    '    if not MICROPYTHON:\n        return [%s]\n'
    '    return o.x if MICROPYTHON else o.y\n' % ', '.join(
        'o.cpy%d' % i for i in range(60)))


class FoldTest(unittest.TestCase):
    def test_reads_become_true_lines_stay(self):
        folded = mpy_fold.fold(CPYTHON_BRANCH)
        self.assertEqual(folded.count('MICROPYTHON'), 1)  # the import
        self.assertIn('    if not True:\n', folded)
        self.assertIn('return o.x if True else o.y', folded)
        self.assertEqual(len(folded.splitlines()),
                         len(CPYTHON_BRANCH.splitlines()))

    def test_definition_kept(self):
        text = ('import sys\nMICROPYTHON = sys.implementation.name == '
                '"micropython"\nif MICROPYTHON:\n    X = 1\n')
        folded = mpy_fold.fold(text)
        self.assertIn('MICROPYTHON = sys', folded)
        self.assertIn('if True:', folded)

    def test_other_flags_left_alone(self):
        text = 'from .other import MICROPYTHON\nif MICROPYTHON:\n    pass\n'
        self.assertEqual(mpy_fold.fold(text), text)
        text = 'def f(MICROPYTHON):\n    return MICROPYTHON\n'
        self.assertEqual(mpy_fold.fold(text), text)

    @unittest.skipUnless(os.path.exists(MICROPYTHON),
                         'no MicroPython unix port in the venv: make venv')
    def test_folded_module_takes_less_heap(self):
        heaps = [import_heap({'pkg/__init__.py': '',
                              'pkg/helpers.py': 'MICROPYTHON = True\n',
                              'pkg/mod.py': text}, 'pkg.mod')
                 for text in (CPYTHON_BRANCH, mpy_fold.fold(CPYTHON_BRANCH))]
        # 60 names and 180 bytes of bytecode left out
        self.assertLess(heaps[1], heaps[0] - 512, heaps)


if __name__ == '__main__':
    unittest.main()
