#!/usr/bin/env python3
"""Compile an app's templates into Python modules, ahead of time.

    python tools/compile_templates.py examples/dashboard       # its templates/
    python tools/compile_templates.py path/to/templates -o out --mpy

Each template (``.tpl``, ``.html``, ``.htm``, ``.xml``, ``.svg``, ``.txt``,
in subfolders too) becomes ``<out>/<module>.py``, the module name being
``microdot.utemplate.module_name(template_dir, name)``
(``templates/index.html`` -> ``templates_index_html.py``). The default
``<out>`` is ``build/templates/<app folder name>``. Freeze those modules
into the firmware (``freeze_app`` below does it from a manifest), or copy
them (``--mpy``: compiled to .mpy) next to the app on a board; either way
``microdot.utemplate.Template`` imports them and compiles nothing at run
time. A syntax error prints the template, the line and what was expected,
and exits with status 1.
"""
import os
import sys

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _load(name):
    # the two modules by path, not through the microdot package: a build
    # needs neither the rest of the framework nor its import to work
    import importlib.util
    path = os.path.join(_ROOT, 'modules', 'microdot', name + '.py')
    spec = importlib.util.spec_from_file_location('_kit_' + name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


module_name = _load('utemplate').module_name
_compiler = _load('utemplate_compiler')
compile_template = _compiler.compile_template
TemplateSyntaxError = _compiler.TemplateSyntaxError

EXTENSIONS = ('.tpl', '.html', '.htm', '.xml', '.svg', '.txt')


def template_names(template_dir):
    """Names (relative to ``template_dir``, '/'-separated) of its
    templates, sorted."""
    names = []
    for folder, dirs, files in os.walk(template_dir):
        dirs.sort()
        rel = os.path.relpath(folder, template_dir)
        for f in sorted(files):
            if f.lower().endswith(EXTENSIONS) and not f.startswith('.'):
                names.append(f if rel == '.' else
                             rel.replace(os.sep, '/') + '/' + f)
    return names


def compile_dir(template_dir, out_dir, runtime_dir=None):
    """Compile every template of ``template_dir`` into ``out_dir``.

    ``runtime_dir`` is the folder name the app passes to
    ``Template.initialize`` (it names the modules; default: the last
    component of ``template_dir``). Returns the module file names written.
    A file is only rewritten when its content changes (builds stay
    incremental). Raises TemplateSyntaxError.
    """
    runtime_dir = runtime_dir or os.path.basename(
        os.path.normpath(template_dir))
    os.makedirs(out_dir, exist_ok=True)
    written = []
    for name in template_names(template_dir):
        with open(os.path.join(template_dir, name), encoding='utf-8') as f:
            source = f.read()
        code = compile_template(source, runtime_dir + '/' + name,
                                resolve=_resolver(template_dir, runtime_dir))
        filename = module_name(runtime_dir, name) + '.py'
        path = os.path.join(out_dir, filename)
        old = None
        if os.path.exists(path):
            with open(path, encoding='utf-8') as f:
                old = f.read()
        if old != code:
            with open(path, 'w', encoding='utf-8') as f:
                f.write(code)
        written.append(filename)
    return written


def _resolver(template_dir, runtime_dir):
    # static includes are compiled into the including template's module
    def resolve(name):
        path = os.path.join(template_dir, name)
        if not os.path.isfile(path):
            return None
        with open(path, encoding='utf-8') as f:
            return runtime_dir + '/' + name, f.read()
    return resolve


def app_template_dir(path):
    """An app folder's templates/ folder, or ``path`` itself."""
    sub = os.path.join(path, 'templates')
    return sub if os.path.isdir(sub) else path


def default_out(path):
    name = os.path.basename(os.path.normpath(path))
    return os.path.join(_ROOT, 'build', 'templates', name)


def freeze_app(app_dir, module, out_dir=None):
    """From a MicroPython manifest: compile ``app_dir``'s templates and
    freeze each compiled module with the manifest's ``module`` function::

        compile_templates.freeze_app("examples/dashboard", module)

    Does nothing for an app without templates. Returns the module names.
    """
    template_dir = app_template_dir(app_dir)
    if not os.path.isdir(template_dir) or template_dir == app_dir:
        return []
    out_dir = out_dir or default_out(app_dir)
    files = compile_dir(template_dir, out_dir)
    for f in files:
        module(f, base_path=out_dir)
    return files


def main(argv):
    import argparse
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('path', help='an app folder (its templates/) or a '
                                'template folder')
    p.add_argument('-o', '--out', help='output folder (default: '
                                       'build/templates/<name>)')
    p.add_argument('--mpy', action='store_true',
                   help='also compile the modules to .mpy with mpy-cross')
    args = p.parse_args(argv)
    template_dir = app_template_dir(args.path)
    out = args.out or default_out(args.path)
    try:
        files = compile_dir(template_dir, out)
    except TemplateSyntaxError as exc:
        print('error: %s' % exc, file=sys.stderr)
        return 1
    if args.mpy:
        import subprocess
        cross = os.path.join(os.path.dirname(sys.executable), 'mpy-cross')
        if not os.path.exists(cross):
            cross = 'mpy-cross'
        for f in files:
            subprocess.check_call([cross, os.path.join(out, f)])
    print('%d template(s) from %s compiled into %s'
          % (len(files), template_dir, out))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
