"""``MICROPYTHON`` is True in a .mpy: let mpy-cross drop the CPython code.

    python tools/mpy_fold.py FILE.py   # prints the folded source

The framework tells the runtimes apart with ``helpers.MICROPYTHON``. Code
compiled to .mpy only ever runs on MicroPython, so :func:`fold` writes
``True`` for each read of that name in a module that takes it from
``helpers`` (or is ``helpers``): mpy-cross then compiles ``if True:`` to
its body alone and leaves out ``if not True:`` blocks and ``or not True``
tests, with the names only they use, which MicroPython would intern for
good on import. The text is changed in place, token by token, so every
line stays where it was.
"""
import ast
import sys

NAME = 'MICROPYTHON'


def _takes_flag(tree):
    """Whether the module gets ``MICROPYTHON`` from the helpers module, or
    defines it (the helpers module itself)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and \
                node.module.split('.')[-1] == 'helpers':
            if any(a.name == NAME and not a.asname for a in node.names):
                return True
        elif isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == NAME
                for t in node.targets):
            return True
    return False


def fold(source):
    """``source`` with every read of ``MICROPYTHON`` written ``True``
    (``source`` itself when the module does not use the flag)."""
    if NAME not in source:
        return source
    tree = ast.parse(source)
    if not _takes_flag(tree):
        return source
    spots = sorted(((node.lineno, node.col_offset, node.end_col_offset)
                    for node in ast.walk(tree)
                    if isinstance(node, ast.Name) and node.id == NAME and
                    isinstance(node.ctx, ast.Load)), reverse=True)
    lines = source.splitlines(True)
    for lineno, start, end in spots:
        # col offsets count UTF-8 bytes
        line = lines[lineno - 1].encode()
        lines[lineno - 1] = (line[:start] + b'True' + line[end:]).decode()
    return ''.join(lines)


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    with open(sys.argv[1]) as f:
        sys.stdout.write(fold(f.read()))
