"""Compile a tree of .py files to .mpy with mpy-cross, keeping the layout.

    python tools/mpy_compile.py SRC_DIR OUT_DIR

The .mpy files are what MicroPython loads from a board's filesystem (or
``build/mpy`` on the unix port); only files whose source is newer than
their .mpy are recompiled. Code loaded from a file lives in RAM, so they
are compiled to take as little of it as they can:

- with ``-O3``, without line numbers: the line tables are about 8% of the
  code (1.2 KB of heap after ``import microdot``). Tracebacks still name
  the module and the function (``File "microdot.server", line 1, in
  serve_connection``); your own code keeps its lines;
- a package whose ``__init__.py`` has ``# mpy-bundle:`` lines as one
  ``__init__.mpy`` with the modules they list (:mod:`mpy_bundle`: 2.2 KB
  less heap for ``import microdot``); their tracebacks name the package
  (``File "microdot"``);
- with ``MICROPYTHON`` taken as True (:mod:`mpy_fold`: the CPython
  branches left out);
- with the names each module's functions use most first in its name table
  (:mod:`mpy_qstr_order`: one-byte references).

``MPY_LINES=1`` in the environment keeps the line numbers and every module
apart (``make mpy MPY_LINES=1``), for debugging the framework. Frozen
images compile the sources themselves (``manifest.py``).
"""
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mpy_bundle  # noqa: E402
import mpy_fold  # noqa: E402
import mpy_qstr_order  # noqa: E402


def find_mpy_cross():
    here = os.path.join(os.path.dirname(sys.executable), 'mpy-cross')
    found = here if os.path.exists(here) else shutil.which('mpy-cross')
    if not found:
        sys.exit('mpy-cross not found: run `make venv` (it installs the '
                 'mpy-cross package from requirements.txt)')
    return found


def compile_tree(src, out, mpy_cross=None, lines=None):
    """Compile every .py under ``src`` into ``out``; returns the count.
    ``lines``: keep line numbers (default: the MPY_LINES variable)."""
    mpy_cross = mpy_cross or find_mpy_cross()
    if lines is None:
        lines = os.environ.get('MPY_LINES', '') not in ('', '0')
    flags = [] if lines else ['-O3']
    # a change of flags, or of the tools that rewrite the sources,
    # recompiles everything
    stamp = os.path.join(out, '.mpy-flags')
    stamp_text = ' '.join(flags) + ' ' + _tools_digest()
    if _read(stamp) != stamp_text:
        for root, _dirs, files in os.walk(out):
            for name in files:
                if name.endswith('.mpy'):
                    os.remove(os.path.join(root, name))
    count = 0
    bundled = set()  # sources compiled into a bundle, not on their own
    for root, _dirs, files in os.walk(src):
        rel = os.path.relpath(root, src)
        if not lines and mpy_bundle.bundled_modules(root):
            members = compile_bundle(root, os.path.normpath(
                os.path.join(out, rel)), rel, mpy_cross, flags)
            if members is None:
                members = mpy_bundle.bundled_modules(root)
            else:
                count += 1
            for member in members + ['__init__']:
                bundled.add(os.path.normpath(os.path.join(rel, member)))
        for name in files:
            if not name.endswith('.py') or os.path.normpath(
                    os.path.join(rel, name[:-3])) in bundled:
                continue
            source = os.path.join(root, name)
            target = os.path.normpath(os.path.join(out, rel, name[:-3] + '.mpy'))
            if (os.path.exists(target)
                    and os.path.getmtime(target) >= os.path.getmtime(source)):
                continue
            os.makedirs(os.path.dirname(target), exist_ok=True)
            # -s sets the file name tracebacks show: the module's dotted
            # name ("microdot.request"), a string MicroPython interns anyway
            # on import; a path would cost one more qstr per module.
            module = os.path.normpath(os.path.join(rel, name[:-3]))
            if module.endswith('__init__'):
                module = os.path.dirname(module) or module
            with open(source) as f:
                text = f.read()
            mpy_cross_text(mpy_cross, flags, module.replace(os.sep, '.'),
                           target, text, source, seed=not lines)
            count += 1
    # Drop .mpy files whose source is gone, so a stale module never loads,
    # and those of modules now inside a bundle.
    for root, _dirs, files in os.walk(out):
        rel = os.path.relpath(root, out)
        for name in files:
            module = os.path.normpath(os.path.join(rel, name[:-4]))
            if name.endswith('.mpy') and (not os.path.exists(
                    os.path.join(src, rel, name[:-4] + '.py')) or
                    module in bundled and name != '__init__.mpy'):
                os.remove(os.path.join(root, name))
    os.makedirs(out, exist_ok=True)
    with open(stamp, 'w') as f:
        f.write(stamp_text)
    return count


def compile_bundle(package_dir, out_dir, rel, mpy_cross, flags):
    """Compile the package at ``package_dir`` and its bundled modules into
    ``out_dir/__init__.mpy``; returns the bundled module names, or None
    when the .mpy is newer than all of their sources."""
    members = mpy_bundle.bundled_modules(package_dir)
    target = os.path.join(out_dir, '__init__.mpy')
    sources = [os.path.join(package_dir, m + '.py')
               for m in members + ['__init__']]
    if os.path.exists(target) and all(
            os.path.exists(p) and
            os.path.getmtime(p) <= os.path.getmtime(target) for p in sources):
        return None
    try:
        text, members = mpy_bundle.bundle_source(package_dir)
    except mpy_bundle.BundleError as exc:
        sys.exit('mpy-bundle: %s' % exc)
    os.makedirs(out_dir, exist_ok=True)
    name = os.path.basename(os.path.abspath(package_dir)) \
        if rel == '.' else rel.replace(os.sep, '.')
    mpy_cross_text(mpy_cross, flags, name, target, text, None, seed=True)
    return members


def mpy_cross_text(mpy_cross, flags, module, target, text, source, seed):
    """Compile source ``text`` (of file ``source``, None for a generated
    one) to ``target``, named ``module`` in tracebacks, its CPython branches
    left out (:mod:`mpy_fold`); with ``seed``, its name table ordered
    first (:mod:`mpy_qstr_order`)."""
    try:
        rewritten = mpy_fold.fold(text)
        if seed:
            rewritten = mpy_qstr_order.seed(rewritten)
    except SyntaxError:
        rewritten = text  # mpy-cross says what is wrong, with its lines
    if source is not None and rewritten is text:
        subprocess.run([mpy_cross] + flags + [
            '-s', module, '-o', target, source], check=True)
        return
    text = rewritten
    fd, path = tempfile.mkstemp(suffix='.py', prefix='mpy-compile-')
    try:
        with os.fdopen(fd, 'w') as f:
            f.write(text)
        subprocess.run([mpy_cross] + flags + [
            '-s', module, '-o', target, path], check=True)
    finally:
        os.remove(path)


def _tools_digest():
    """A short digest of the tools that rewrite sources before mpy-cross."""
    digest = hashlib.sha256()
    for tool in (mpy_bundle, mpy_fold, mpy_qstr_order):
        with open(tool.__file__, 'rb') as f:
            digest.update(f.read())
    return digest.hexdigest()[:12]


def _read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    n = compile_tree(sys.argv[1], sys.argv[2])
    print('mpy-cross: %d file(s) compiled into %s' % (n, sys.argv[2]))
