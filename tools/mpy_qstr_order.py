"""Put the names a module's functions use most first in its .mpy name table.

    python tools/mpy_qstr_order.py FILE.py   # prints the seeded source

Bytecode refers to a name (an attribute, a global, a short string, an
argument) by its index in the module's name table, in one byte below 128
and two from there on. mpy-cross numbers the names in the order the
compiler first meets them, so in a large module (the bundled core: about
350 names) most references in the functions that stay in RAM take two
bytes. :func:`seed` puts in front of the source one statement that never
runs and mentions the 125 names the functions use most, so they get the
one-byte indices: in the bundled core that turns 728 two-byte references
into 260 (about 470 bytes of bytecode; 0.3 KB less heap after ``import
microdot``). The statement is module-level code, freed once the module
has run; it changes nothing else (the module's line numbers shift, which is
why ``mpy_compile`` leaves it out when keeping them).

The counts come from the syntax tree, as mpy-cross encodes it: each
function's name and argument names (its prelude), attribute names, global
and builtin names (not its locals), keyword argument names, names a
function imports, and string literals of up to 10 characters (longer ones
are constant objects, not names).
"""
import ast
import collections
import keyword
import sys

#: One-byte indices go up to 127; the file name and ``<module>`` take the
#: first two, ``__name__`` (the seed's own test) the third.
SEEDED = 125
#: Smallest estimated saving (bytes of bytecode) worth the seed.
WORTH = 128
#: mpy-cross interns string literals up to this length (longer ones are
#: objects in the constant table).
INTERNED_STRING_LEN = 10


def _locals(func):
    """The names a function binds locally (LOAD_FAST, no name table)."""
    names = set()
    args = func.args
    for arg in args.posonlyargs + args.args + args.kwonlyargs + [
            args.vararg, args.kwarg]:
        if arg is not None:
            names.add(arg.arg)
    declared = set()
    for node in _own_nodes(func):
        if isinstance(node, ast.Name) and isinstance(node.ctx,
                                                     (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            declared.update(node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                names.add((alias.asname or alias.name).split('.')[0])
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef,
                               ast.ClassDef)) and node is not func:
            names.add(node.name)
    return names - declared


def _own_nodes(func):
    """The nodes of a function's body, not those of functions inside it
    (they are functions of their own), but their defaults and decorators."""
    todo = list(ast.iter_child_nodes(func))
    while todo:
        node = todo.pop()
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef,
                             ast.Lambda)):
            todo.extend(node.args.defaults + node.args.kw_defaults +
                        getattr(node, 'decorator_list', []))
            continue
        if isinstance(node, ast.ClassDef):
            todo.extend(node.bases + node.decorator_list)
            continue
        todo.extend(ast.iter_child_nodes(node))


def _is_function(node):
    return isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef,
                             ast.Lambda))


def name_counts(source):
    """How often the functions of ``source`` use each name."""
    tree = ast.parse(source)
    counts = collections.Counter()
    for func in ast.walk(tree):
        if not _is_function(func):
            continue
        local = _locals(func)
        counts[getattr(func, 'name', '<lambda>')] += 1
        args = func.args
        for arg in args.posonlyargs + args.args + args.kwonlyargs + [
                args.vararg, args.kwarg]:
            if arg is not None:
                counts[arg.arg] += 1
        for node in _own_nodes(func):
            if isinstance(node, ast.Attribute):
                counts[node.attr] += 1
            elif isinstance(node, ast.Name):
                if node.id not in local:
                    counts[node.id] += 1
            elif isinstance(node, ast.keyword) and node.arg:
                counts[node.arg] += 1
            elif isinstance(node, ast.ImportFrom):
                counts[node.module or ''] += 1
                for alias in node.names:
                    counts[alias.name] += 1
            elif isinstance(node, (ast.Global, ast.Nonlocal)):
                counts.update(node.names)
            elif isinstance(node, ast.Constant) and isinstance(
                    node.value, str) and \
                    len(node.value.encode()) <= INTERNED_STRING_LEN:
                counts[node.value] += 1
    for name in ('True', 'False', 'None'):
        counts.pop(name, None)  # constants, not names
    return counts


def all_names(source):
    """Every name the module's table may hold (an upper bound)."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef,
                               ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.keyword) and node.arg:
            names.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.add(getattr(node, 'module', None) or '')
            for alias in node.names:
                names.add(alias.name)
                names.add(alias.asname or alias.name)
        elif isinstance(node, ast.Constant) and isinstance(
                node.value, str) and \
                len(node.value.encode()) <= INTERNED_STRING_LEN:
            names.add(node.value)
    return names


def seed(source):
    """``source`` with the never-run statement that orders its name table
    in front; ``source`` itself when that would save less than
    :data:`WORTH` bytes of bytecode.

    In the order mpy-cross finds them, about ``(N - 127) / N`` of the
    references of a module with N names take two bytes; the statement
    itself is about 3 bytes a name of module code, which is freed after the
    import but is there while the module loads (the server module: 139
    names, 27 bytes saved, 640 bytes more at its load: not seeded)."""
    total = len(all_names(source))
    if total < 128:
        return source
    counts = name_counts(source)
    if sum(counts.values()) * (total - 127) / total < WORTH:
        return source
    names = [n for n, _ in counts.most_common(SEEDED)]
    if not names:
        return source
    items = []
    for name in names:
        if name.isidentifier() and not keyword.iskeyword(name):
            # an attribute: mpy-cross numbers attribute names (and strings)
            # as it meets them, before the module's global names
            items.append('__name__.' + name)
        else:
            items.append(repr(name))
    lines = ['if __name__ is None:  # never runs: orders the name table '
             '(tools/mpy_qstr_order.py)', '    [']
    for item in items:
        lines.append('        %s,' % item)
    lines.append('    ]')
    return '\n'.join(lines) + '\n' + source


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    with open(sys.argv[1]) as f:
        sys.stdout.write(seed(f.read()))
