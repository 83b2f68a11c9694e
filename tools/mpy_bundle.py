"""One module from a package and the core modules its ``__init__`` imports.

    python tools/mpy_bundle.py PACKAGE_DIR [OUT_FILE]

A package's ``__init__.py`` asks for it with comment lines naming the
modules in import order::

    # mpy-bundle: exceptions helpers structures
    # mpy-bundle: connection routing

:func:`bundle_source` then writes one source: each listed module's text in
that order (its imports of modules bundled before it left out), then
``__init__.py``'s, behind a prologue that registers the package under each
bundled module's name in ``sys.modules``, so ``from microdot.request import
Request`` still finds its class. :mod:`mpy_compile` compiles it as the
package's ``__init__.mpy`` in place of the separate modules.

Why: loaded from ``.mpy`` a module costs about 300 bytes of heap of its own
on a 64-bit MicroPython (its object, its globals dict, its constant and name
tables, its ``sys.modules`` entry); bundling the core saved 2.2 KB after
``import microdot`` (33.4 -> 31.2 KB, when it was nine modules). The source
keeps one module per step; only the compiled package is one module.

The bundle refuses, with the reason, what would change behaviour: a module
importing a bundled module listed after it (the order is the import
order), an ``import ... as`` rename or ``from . import module`` of a
bundled module at module level, and two modules binding the same global
name differently (one would silently replace the other). A name the
package's ``__init__.py`` binds again with the same text is fine
(``redirect = Response.redirect`` in two modules).
"""
import ast
import os
import sys

MARKER = '# mpy-bundle:'


class BundleError(Exception):
    pass


def bundled_modules(package_dir):
    """The module names the package's ``# mpy-bundle:`` lines list (one
    or more lines, read in order), or None when its ``__init__.py`` has
    none."""
    init = os.path.join(package_dir, '__init__.py')
    if not os.path.exists(init):
        return None
    names = []
    with open(init) as f:
        for line in f:
            if line.startswith(MARKER):
                names += line[len(MARKER):].split()
    return names or None


def _module_level(body):
    """The statements that run at import: module level, and inside
    if/try/with blocks there, but not in a def or a class."""
    for node in body:
        yield node
        for field in ('body', 'orelse', 'finalbody'):
            yield from _module_level(getattr(node, field, None) or [])
        for handler in getattr(node, 'handlers', None) or []:
            yield from _module_level(handler.body)


def _bound_names(node):
    """The global names a module-level statement binds."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef,
                         ast.ClassDef)):
        return [node.name]
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return [(a.asname or a.name).split('.')[0] for a in node.names]
    targets = []
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
        targets = [node.target]
    names = []
    while targets:
        target = targets.pop()
        if isinstance(target, ast.Name):
            names.append(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            targets.extend(target.elts)
        elif isinstance(target, ast.Starred):
            targets.append(target.value)
        # an attribute or an item (Response.x = ...) binds no global
    return names


def _strip(source, name, path, order):
    """``source`` with its module-level imports of modules bundled before
    it turned into ``pass``; returns it and {global name: statement text}."""
    tree = ast.parse(source, path)
    lines = source.splitlines()
    earlier = order[:order.index(name)] if name in order else order
    cut = []
    bound = {}
    for node in _module_level(tree.body):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module is None:
                for alias in node.names:
                    if alias.name in order:
                        raise BundleError(
                            '%s: `from . import %s` at module level: import '
                            'its names instead' % (path, alias.name))
            elif node.module in order:
                if node.module not in earlier:
                    raise BundleError(
                        '%s imports %s, which the mpy-bundle line lists '
                        'after it: list the modules in import order' % (
                            path, node.module))
                for alias in node.names:
                    if alias.asname and alias.asname != alias.name:
                        raise BundleError(
                            '%s: `import %s as %s` from a bundled module' % (
                                path, alias.name, alias.asname))
                cut.append(node)
                continue
        if node in tree.body:
            text = ast.get_source_segment(source, node) or ast.dump(node)
            for bound_name in _bound_names(node):
                bound[bound_name] = text
    for node in cut:
        first = node.lineno - 1
        indent = lines[first][:len(lines[first]) - len(lines[first].lstrip())]
        lines[first:node.end_lineno] = [indent + 'pass'] + \
            [''] * (node.end_lineno - 1 - first)
    return '\n'.join(lines) + '\n', bound


def bundle_source(package_dir):
    """The bundle's source text and the modules it holds, or None when the
    package asks for no bundle. Raises BundleError for what it refuses."""
    order = bundled_modules(package_dir)
    if not order:
        return None
    package = os.path.basename(os.path.normpath(package_dir))
    parts = ['import sys as _bundle_sys\n'
             'for _bundle_name in %r:  # a list: no constant kept\n'
             '    _bundle_sys.modules[%r + _bundle_name] = '
             '_bundle_sys.modules[__name__]\n'
             'del _bundle_sys, _bundle_name\n' % (list(order), package + '.')]
    owners = {}
    for name in order + ['__init__']:
        path = os.path.join(package_dir, name + '.py')
        if not os.path.exists(path):
            raise BundleError('%s: the mpy-bundle line lists %s, which is '
                              'missing' % (package_dir, name))
        with open(path) as f:
            text, bound = _strip(f.read(), name, path, order)
        for global_name, statement in bound.items():
            if global_name.startswith('__') and global_name != '__getattr__':
                continue  # __version__, __all__: the package's own
            if global_name in owners:
                other, other_statement = owners[global_name]
                same = other_statement == statement
                if not same and not (name == '__init__' and
                                     global_name == '__getattr__'):
                    raise BundleError(
                        'bundling %s: %s and %s both bind %r: rename one' % (
                            package_dir, other, name, global_name))
            owners[global_name] = (name, statement)
        parts.append('# ---- %s.py\n%s' % (name, text))
    return ''.join(parts), order


def main(argv):
    if len(argv) not in (1, 2):
        sys.exit(__doc__)
    try:
        result = bundle_source(argv[0])
    except BundleError as exc:
        sys.exit('mpy-bundle: %s' % exc)
    if result is None:
        sys.exit('%s: no `%s` line in its __init__.py' % (argv[0], MARKER))
    if len(argv) == 2:
        with open(argv[1], 'w') as f:
            f.write(result[0])
    else:
        sys.stdout.write(result[0])


if __name__ == '__main__':
    main(sys.argv[1:])
