"""Compile a tree of .py files to .mpy with mpy-cross, keeping the layout.

    python tools/mpy_compile.py SRC_DIR OUT_DIR

The .mpy files are the same bytecode that freezing puts into an image, so
code loaded from OUT_DIR behaves as it will on a board. Only files whose
source is newer than their .mpy are recompiled.
"""
import os
import shutil
import subprocess
import sys


def find_mpy_cross():
    here = os.path.join(os.path.dirname(sys.executable), 'mpy-cross')
    found = here if os.path.exists(here) else shutil.which('mpy-cross')
    if not found:
        sys.exit('mpy-cross not found: run `make venv` (it installs the '
                 'mpy-cross package from requirements.txt)')
    return found


def compile_tree(src, out, mpy_cross=None):
    mpy_cross = mpy_cross or find_mpy_cross()
    count = 0
    for root, _dirs, files in os.walk(src):
        rel = os.path.relpath(root, src)
        for name in files:
            if not name.endswith('.py'):
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
            subprocess.run([mpy_cross, '-s', module.replace(os.sep, '.'),
                            '-o', target, source], check=True)
            count += 1
    # Drop .mpy files whose source is gone, so a stale module never loads.
    for root, _dirs, files in os.walk(out):
        rel = os.path.relpath(root, out)
        for name in files:
            if name.endswith('.mpy') and not os.path.exists(
                    os.path.join(src, rel, name[:-4] + '.py')):
                os.remove(os.path.join(root, name))
    return count


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    n = compile_tree(sys.argv[1], sys.argv[2])
    print('mpy-cross: %d file(s) compiled into %s' % (n, sys.argv[2]))
