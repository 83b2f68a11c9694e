"""Installing the framework as Python and MicroPython users do (CPython side):

    pytest tests-device/test_install.py

`pip install .` into a fresh virtualenv (from a copy of the files it needs,
so the checkout is not written to) gives an importable `microdot` with its
.pyi stubs; package.json lists every module; `mpremote mip install` of
that package.json puts the framework and its deps (hmac, pyjwt, from a
local package index) on the virtual board, where it imports from /lib.
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from vboard_support import VBoard, tool  # noqa: E402

# Where micropython-lib's sources of the deps are, in a MicroPython checkout.
LIB_SOURCES = {'hmac': ('python-stdlib/hmac/hmac.py', []),
               'pyjwt': ('python-ecosys/pyjwt/jwt.py', ['hmac'])}


def micropython_lib():
    for top in (os.environ.get('MICROPY_DIR', ''),
                os.path.join(ROOT, 'micropython')):
        path = os.path.join(top, 'lib', 'micropython-lib')
        if top and os.path.exists(os.path.join(path, LIB_SOURCES['hmac'][0])):
            return path
    return None


def make_index(top):
    """A package index in the layout mip reads (package/py/NAME/latest.json
    and file/HH/HASH), holding hmac and pyjwt: micropython-lib's files when
    a checkout is present, else small stand-ins with the same names."""
    lib = micropython_lib()
    for name, (source, deps) in LIB_SOURCES.items():
        target = os.path.basename(source)
        if lib:
            with open(os.path.join(lib, source), 'rb') as f:
                data = f.read()
        else:
            data = b'# stand-in for micropython-lib\'s %s\nSTANDIN = 1\n' % (
                name.encode())
        digest = hashlib.sha256(data).hexdigest()[:8]
        os.makedirs(os.path.join(top, 'file', digest[:2]), exist_ok=True)
        with open(os.path.join(top, 'file', digest[:2], digest), 'wb') as f:
            f.write(data)
        meta = {'hashes': [[target, digest]],
                'deps': [[d, 'latest'] for d in deps], 'version': '0'}
        os.makedirs(os.path.join(top, 'package', 'py', name), exist_ok=True)
        with open(os.path.join(top, 'package', 'py', name, 'latest.json'),
                  'w') as f:
            json.dump(meta, f)


class PackageJsonTest(unittest.TestCase):
    def test_up_to_date(self):
        out = subprocess.run([sys.executable, os.path.join(
            ROOT, 'tools', 'package_json.py'), '--check'],
            capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)

    def test_lists_files_and_deps(self):
        with open(os.path.join(ROOT, 'package.json')) as f:
            meta = json.load(f)
        self.assertIn(['microdot/__init__.py', 'modules/microdot/__init__.py'],
                      meta['urls'])
        for _target, url in meta['urls']:
            self.assertTrue(os.path.exists(os.path.join(ROOT, url)), url)
        self.assertEqual([d[0] for d in meta['deps']], ['hmac', 'pyjwt'])


class PipInstallTest(unittest.TestCase):
    def test_pip_install_into_a_fresh_venv(self):
        tmp = tempfile.mkdtemp(prefix='kit-pip-')
        try:
            src = os.path.join(tmp, 'src')
            os.makedirs(src)
            for name in ('pyproject.toml', 'README.md'):
                shutil.copy(os.path.join(ROOT, name), src)
            shutil.copytree(os.path.join(ROOT, 'modules'),
                            os.path.join(src, 'modules'),
                            ignore=shutil.ignore_patterns('__pycache__'))
            # A stub of our own, so that shipping stubs is checked even
            # before the package has any.
            probe = os.path.join(src, 'modules', 'microdot', '_probe.pyi')
            with open(probe, 'w') as f:
                f.write('x: int\n')
            stubs = sorted(n for n in os.listdir(os.path.dirname(probe))
                           if n.endswith('.pyi'))
            venv = os.path.join(tmp, 'venv')
            subprocess.run([sys.executable, '-m', 'venv', venv], check=True)
            pip = subprocess.run(
                [os.path.join(venv, 'bin', 'pip'), 'install', '-q',
                 '--disable-pip-version-check', src],
                capture_output=True, text=True, timeout=300)
            if pip.returncode and 'setuptools' in pip.stderr and (
                    'No matching distribution' in pip.stderr
                    or 'Could not find a version' in pip.stderr):
                raise unittest.SkipTest('pip could not get setuptools (no '
                                        'package index reachable)')
            self.assertEqual(pip.returncode, 0, pip.stdout + pip.stderr)
            check = subprocess.run(
                [os.path.join(venv, 'bin', 'python'), '-c',
                 'import os, microdot; from microdot import Microdot; '
                 'd = os.path.dirname(microdot.__file__); '
                 'print(microdot.__version__); '
                 'print(" ".join(sorted(n for n in os.listdir(d) '
                 'if n.endswith(".pyi"))))'],
                capture_output=True, text=True, cwd=tmp)
            self.assertEqual(check.returncode, 0, check.stderr)
            version, shipped = check.stdout.splitlines()[:2]
            self.assertIn(os.path.join(venv, 'lib'), subprocess.run(
                [os.path.join(venv, 'bin', 'python'), '-c',
                 'import microdot; print(microdot.__file__)'],
                capture_output=True, text=True, cwd=tmp).stdout)
            self.assertEqual(shipped.split(), stubs)
            with open(os.path.join(ROOT, 'modules', 'microdot',
                                   '__init__.py')) as f:
                self.assertIn("__version__ = '%s'" % version, f.read())
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


class MipInstallTest(unittest.TestCase):
    def test_mip_install_on_the_virtual_board(self):
        index = tempfile.mkdtemp(prefix='kit-index-')
        try:
            make_index(index)
            with VBoard() as board:
                out = board.mpremote(
                    'mip', 'install', '--no-mpy', '--index', index,
                    os.path.join(ROOT, 'package.json'), timeout=300)
                self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
                lib = os.path.join(board.fs, 'lib')
                with open(os.path.join(ROOT, 'package.json')) as f:
                    for target, url in json.load(f)['urls']:
                        with open(os.path.join(ROOT, url), 'rb') as a, \
                                open(os.path.join(lib, target), 'rb') as b:
                            self.assertEqual(a.read(), b.read(), target)
                self.assertTrue(os.path.exists(os.path.join(lib, 'hmac.py')))
                self.assertTrue(os.path.exists(os.path.join(lib, 'jwt.py')))
                # Imported from /lib alone (plus the port's frozen asyncio).
                out = board.mpremote('exec', (
                    'import sys\nsys.path[:] = [".frozen", %r]\n'
                    'import microdot, hmac, jwt\nprint("from", '
                    'microdot.__file__)' % lib))
                self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
                self.assertIn('from ' + lib, out.stdout)
        finally:
            shutil.rmtree(index, ignore_errors=True)


if __name__ == '__main__':
    unittest.main()
