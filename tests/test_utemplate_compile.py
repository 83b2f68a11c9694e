"""microdot.utemplate: syntax errors, compiled modules loaded without
compiling, other loaders (pfalcon's interface), and the build tool."""
import os
import sys
import unittest

import microdot.utemplate as utemplate
from microdot.utemplate import Template, Loader, module_name
from microdot.utemplate_compiler import compile_template, \
    TemplateSyntaxError
from support import IS_MICROPYTHON, make_temp_dir, remove_tree, write_file

try:
    import subprocess
except ImportError:
    subprocess = None

ERRORS = [
    ('{% if x %}\nabc', 2, 'expected {% endif %} before the end'),
    ('{% for x in y %}\n{% endif %}', 2, 'expected {% endfor %}'),
    ('a\n\n{% else %}', 3, 'outside {% if %}'),
    ('{% frobnicate %}', 1, "unknown statement 'frobnicate'"),
    ('a\n{{ x', 2, "expected '}}'"),
    ('a\n{% if x', 2, "expected '%}'"),
    ('{# never closed', 1, "expected '#}'"),
    ('x{% args a %}', 1, 'must come before'),
    ('a\nb\n{{ 1 + }}', 3, 'expected a Python expression'),
    ('{{ }}', 1, 'expected an expression'),
    ('{% include %}', 1, 'expected a quoted template name'),
    ('{% include "x.html %}', 1, 'closing quote'),
    ('{% endif %}', 1, 'no block is open'),
    ('{% if %}{% endif %}', 1, 'expected a condition'),
    ('{% args a b %}', 1, 'expected an argument list'),
    ('\n{% if x y %}\n{% endif %}', 2, 'expected a Python condition'),
    ('{% set x %}', 1, 'expected {% set name = expression %}'),
    ('{% if a %}{% else b %}{% endif %}', 1, "expected %} after {% else"),
]


class SyntaxErrorTest(unittest.TestCase):
    def test_errors_name_template_line_and_expectation(self):
        for source, line, msg in ERRORS:
            try:
                compile_template(source, 'templates/bad.html')
            except TemplateSyntaxError as exc:
                self.assertEqual(exc.template, 'templates/bad.html', source)
                self.assertEqual(exc.line, line, (source, str(exc)))
                self.assertIn(msg, exc.msg, source)
                self.assertIn('templates/bad.html, line %d' % line, str(exc))
            else:
                self.fail('no error for %r' % source)

    def test_error_through_the_loader(self):
        d = make_temp_dir('tplbad')
        try:
            write_file(d + '/bad.html', 'ok\n{% for i in x %}\n')
            Template.initialize(d)
            old = utemplate.log
            utemplate.log = lambda msg: None
            try:
                with self.assertRaises(TemplateSyntaxError) as cm:
                    Template('bad.html')
            finally:
                utemplate.log = old
            self.assertIn('bad.html, line 3', str(cm.exception))
        finally:
            Template.initialize()
            remove_tree(d)


class StaticIncludeTest(unittest.TestCase):
    SOURCES = {'row.html': '{% args v %}<td>{{ v }}</td>',
               'bad.html': 'x\n{% if %}'}

    def resolve(self, name):
        src = self.SOURCES.get(name)
        return None if src is None else ('t/' + name, src)

    def test_compiled_into_the_module(self):
        code = compile_template('{% for v in "ab" %}{% include "row.html" v'
                                ' %}{% endfor %}{% include "none.html" %}',
                                't/page.html', resolve=self.resolve)
        self.assertIn('def _trow_html(v):', code)
        self.assertIn('yield from _trow_html(v)', code)
        self.assertIn('_i("none.html")', code)  # not found: at run time
        ns = {}
        exec(code, ns)
        ns['_c']['none.html'] = lambda: iter(['!'])
        self.assertEqual(''.join(ns['render']()), '<td>a</td><td>b</td>!')

    def test_error_names_the_included_template(self):
        with self.assertRaises(TemplateSyntaxError) as cm:
            compile_template('a\nb\n{% include "bad.html" %}', 't/p.html',
                             resolve=self.resolve)
        self.assertEqual(cm.exception.template, 't/bad.html')
        self.assertEqual(cm.exception.line, 2)


class CompiledModuleTest(unittest.TestCase):
    def setUp(self):
        self.src = make_temp_dir('tplsrc')
        self.out = make_temp_dir('tplout')
        sys.path.append(self.out)
        self.log = []
        self.old_log = utemplate.log
        utemplate.log = self.log.append
        Template.initialize(self.src)

    def tearDown(self):
        sys.path.remove(self.out)
        utemplate.log = self.old_log
        Loader.compile_missing = True
        Template.initialize()
        remove_tree(self.src)
        remove_tree(self.out)

    def compiled(self, name, source):
        code = compile_template(source, name)
        mod = module_name(self.src, name)
        write_file(self.out + '/' + mod + '.py', code)
        return mod

    def test_compiled_module_is_imported_not_compiled(self):
        self.compiled('c.html', '{% args v %}<p>{{ v }}</p>')
        compiler = sys.modules.pop('microdot.utemplate_compiler')
        try:
            self.assertEqual(Template('c.html').render('<x>'),
                             '<p>&lt;x&gt;</p>')
            self.assertNotIn('microdot.utemplate_compiler', sys.modules)
        finally:
            sys.modules['microdot.utemplate_compiler'] = compiler
        self.assertEqual(self.log, [])

    def test_compiled_include(self):
        self.compiled('outer.html', 'A{% include "inner.html" 2 %}B')
        self.compiled('inner.html', '{% args n %}{{ n * 2 }}')
        self.assertEqual(Template('outer.html').render(), 'A4B')
        self.assertEqual(self.log, [])

    def test_source_compiled_when_no_module(self):
        write_file(self.src + '/s.html', '{{ 6 * 7 }}')
        self.assertEqual(Template('s.html').render(), '42')
        self.assertEqual(len(self.log), 1)
        self.assertIn(module_name(self.src, 's.html'), self.log[0])

    def test_refusing_to_compile_on_the_device(self):
        write_file(self.src + '/s2.html', 'x')
        Loader.compile_missing = False
        with self.assertRaises(ImportError):
            Template('s2.html')

    def test_broken_compiled_module_is_not_masked(self):
        mod = module_name(self.src, 'b.html')
        write_file(self.out + '/' + mod + '.py',
                   'import no_such_module_xyz\n')
        write_file(self.src + '/b.html', 'fine')
        with self.assertRaises(ImportError):
            Template('b.html')
        self.assertEqual(self.log, [])


class ForeignLoaderTest(unittest.TestCase):
    """Any loader with pfalcon's utemplate interface: Loader(pkg, dir),
    load(name) -> a generator function."""

    def test_loader_class(self):
        made = []

        class OtherLoader:
            def __init__(self, pkg, dir):
                made.append((pkg, dir))

            def load(self, name):
                def render(*args):
                    yield 'other:'
                    yield name
                    yield str(args)
                return render

        Template.initialize('elsewhere', loader_class=OtherLoader)
        try:
            t = Template('x.tpl')
            self.assertEqual(t.render(1), 'other:x.tpl(1,)')
            self.assertEqual(list(t.generate()), ['other:', 'x.tpl', '()'])
            self.assertEqual(made, [(None, 'elsewhere')])
        finally:
            Template.initialize()

    @unittest.skipIf(not os.environ.get('UTEMPLATE_DIR') if not
                     IS_MICROPYTHON else True,
                     "set UTEMPLATE_DIR to a checkout of pfalcon's utemplate")
    def test_pfalcon_utemplate(self):
        # pfalcon's loaders import compiled templates as <dir>.<module>:
        # the template folder is relative to a sys.path entry
        d = make_temp_dir('tplpf')
        sys.path.insert(0, d)
        sys.path.insert(0, os.environ['UTEMPLATE_DIR'])
        try:
            from utemplate import source, recompile
            os.mkdir(d + '/pftpl')
            write_file(d + '/pftpl/sq.tpl', '{% args n %}{% for i in '
                                            'range(n) %}{{ i * i }} '
                                            '{% endfor %}')
            cwd = os.getcwd()
            os.chdir(d)
            try:
                for cls in (source.Loader, recompile.Loader):
                    Template.initialize('pftpl', loader_class=cls)
                    self.assertEqual(Template('sq.tpl').render(3).strip(),
                                     '0 1 4')
            finally:
                os.chdir(cwd)
        finally:
            sys.path.remove(d)
            sys.path.pop(0)
            Template.initialize()
            remove_tree(d)


class CompileToolTest(unittest.TestCase):
    def run_tool(self, *args):
        tool = os.path.join(os.path.dirname(os.path.dirname(
            os.path.abspath(__file__))), 'tools', 'compile_templates.py')
        return subprocess.run([sys.executable, tool] + list(args),
                              capture_output=True, text=True, timeout=60)

    @unittest.skipIf(IS_MICROPYTHON or subprocess is None,
                     'the build tool runs on the build machine (CPython)')
    def test_compiles_an_app_folder(self):
        app = make_temp_dir('tplapp')
        try:
            os.makedirs(app + '/templates/sub')
            write_file(app + '/templates/index.html', '{{ 1 }}')
            write_file(app + '/templates/sub/row.tpl', 'row')
            write_file(app + '/templates/notes.md', 'not a template')
            r = self.run_tool(app, '-o', app + '/out')
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(sorted(os.listdir(app + '/out')),
                             ['templates_index_html.py',
                              'templates_sub_row_tpl.py'])
            with open(app + '/out/templates_index_html.py') as f:
                self.assertIn('def render(', f.read())
            write_file(app + '/templates/bad.html', 'x\n{% if y %}')
            r = self.run_tool(app, '-o', app + '/out')
            self.assertEqual(r.returncode, 1)
            self.assertIn('templates/bad.html, line 2: expected {% endif %}',
                          r.stderr)
        finally:
            remove_tree(app)


if __name__ == '__main__':
    unittest.main()
