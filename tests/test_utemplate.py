"""microdot.utemplate: the template syntax, escaping, and streaming a page
(errors, compiled modules and loaders are in test_utemplate_compile.py)."""
import unittest

from microdot import Microdot
import microdot.utemplate as utemplate
from microdot.utemplate import Template
from support import run, make_client, make_temp_dir, remove_tree, write_file

TEMPLATES = {
    'page.html': '{% args title, items=() %}\n<h1>{{ title }}</h1>\n'
                 '{# a comment #}\n<ul>\n{% for i in items %}\n'
                 '<li>{{ i }}</li>\n{% endfor %}\n</ul>\n',
    'raw.tpl': '{% args v %}{{ v }}|{{ v|e }}',
    'esc.html': '{% args v %}{{ v }}|{{ v|safe }}|{{ v | safe }}',
    'cond.html': '{% args n %}{% if n > 10 %}big{% elif n > 0 %}small'
                 '{% elif n == 0 %}zero{% else %}negative{% endif %}',
    'loop.txt': '{% args n %}{% set i = 0 %}{% while i < n %}{{ i }},'
                '{% set i = i + 1 %}{% endwhile %}.',
    'outer.html': '{% args who %}[{% include "inner.html" who, mark="!" %}]'
                  '[{% include "plain.html" %}]'
                  '{% set name = "plain.html" %}[{% include {{ name }} %}]',
    'inner.html': '{% args who, mark="." %}hi {{ who }}{{ mark }}',
    'plain.html': 'plain',
    'braces.html': 'a { b } {c} {}{ {{ 1 + 1 }}',
    'kwargs.tpl': '{% args *a, **kw %}{{ len(a) }}{{ sorted(kw) }}',
    'empty.html': '',
    'nested.html': '{% args rows %}{% for r in rows %}{% for c in r %}'
                   '{% if c %}{{ c }}{% else %}-{% endif %}{% endfor %};'
                   '{% endfor %}',
    'lines.html': 'a\n{% if 1 %}\nb\n{% endif %}\nc\n',
    'unicode.html': '{% args v %}héllo → {{ v }}',
    'pct.html': '{% args v %}{{ v }}% of 100%, {{ v|safe }}%s {{ (1, 2) }}',
    'long.html': '{% args v %}' + 'x' * 300 + '{{ v }}' + 'y' * 250 +
                 '{{ v|safe }}z',
    'cyc_a.html': '{% args n %}a{% if n %}{% include "cyc_b.html" n - 1 %}'
                  '{% endif %}',
    'cyc_b.html': '{% args n %}b{% include "cyc_a.html" n %}',
}


class TemplateSyntaxTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = make_temp_dir('tpl')
        for name, text in TEMPLATES.items():
            write_file(cls.dir + '/' + name, text)
        cls.log = []
        cls.old_log = utemplate.log
        utemplate.log = cls.log.append
        Template.initialize(cls.dir)

    @classmethod
    def tearDownClass(cls):
        utemplate.log = cls.old_log
        Template.initialize()
        remove_tree(cls.dir)

    def render(self, name, *args, **kwargs):
        return Template(name).render(*args, **kwargs)

    def test_args_loop_comment(self):
        self.assertEqual(self.render('page.html', 'T', [1, 2]),
                         '<h1>T</h1>\n<ul>\n<li>1</li>\n<li>2</li>\n</ul>\n')
        self.assertEqual(self.render('page.html', title='x'),
                         '<h1>x</h1>\n<ul>\n</ul>\n')

    def test_html_templates_escape(self):
        self.assertEqual(self.render('esc.html', '<a href="x">&\'</a>'),
                         '&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;|'
                         '<a href="x">&\'</a>|<a href="x">&\'</a>')
        self.assertEqual(self.render('esc.html', 42), '42|42|42')

    def test_percent_signs_mixed_escaping_and_tuples(self):
        self.assertEqual(self.render('pct.html', '<'),
                         '&lt;% of 100%, <%s (1, 2)')
        self.assertEqual(self.render('pct.html', 'ok'),
                         'ok% of 100%, ok%s (1, 2)')

    def test_long_text_around_values(self):
        out = self.render('long.html', '<&>')
        self.assertEqual(out, 'x' * 300 + '&lt;&amp;&gt;' + 'y' * 250 +
                         '<&>z')
        pieces = list(Template('long.html').generate('v'))
        self.assertIn('x' * 300, pieces)  # long text: its own piece

    def test_other_templates_are_raw_unless_asked(self):
        self.assertEqual(self.render('raw.tpl', '<b>'), '<b>|&lt;b&gt;')

    def test_if_elif_else(self):
        got = [self.render('cond.html', n) for n in (11, 5, 0, -1)]
        self.assertEqual(got, ['big', 'small', 'zero', 'negative'])

    def test_while_and_set(self):
        self.assertEqual(self.render('loop.txt', 3), '0,1,2,.')

    def test_include_with_args_and_dynamic(self):
        self.assertEqual(self.render('outer.html', '<you>'),
                         '[hi &lt;you&gt;!][plain][plain]')

    def test_include_cycle_runs_at_run_time(self):
        self.assertEqual(self.render('cyc_a.html', 3), 'abababa')

    def test_single_braces_are_text(self):
        self.assertEqual(self.render('braces.html'), 'a { b } {c} {}{ 2')

    def test_star_args(self):
        self.assertEqual(self.render('kwargs.tpl', 1, 2, b=1, a=2),
                         "2['a', 'b']")

    def test_empty_template(self):
        self.assertEqual(self.render('empty.html'), '')
        self.assertEqual(list(Template('empty.html').generate()), [''])

    def test_nested_blocks(self):
        self.assertEqual(self.render('nested.html', [[1, 0], [0, 'x']]),
                         '1-;-x;')

    def test_tag_lines_leave_no_blank_lines(self):
        self.assertEqual(self.render('lines.html'), 'a\nb\nc\n')

    def test_unicode(self):
        self.assertEqual(self.render('unicode.html', 'ü'), 'héllo → ü')

    def test_generate_yields_pieces(self):
        pieces = list(Template('page.html').generate('T', range(50)))
        self.assertGreater(len(pieces), 50)
        self.assertEqual(''.join(pieces), self.render('page.html', 'T',
                                                      range(50)))

    def test_async_forms(self):
        t = Template('page.html')

        async def go():
            out = []
            async for piece in t.generate_async('A', [1]):
                out.append(piece)
            return ''.join(out), await t.render_async('A', [1])

        streamed, whole = run(go())
        self.assertEqual(streamed, whole)
        self.assertEqual(whole, self.render('page.html', 'A', [1]))

    def test_compiled_from_source_once_with_a_log_line(self):
        Template.initialize(self.dir)
        del self.log[:]
        Template('plain.html')
        Template('plain.html')
        self.assertEqual(len(self.log), 1)
        self.assertIn('compiling', self.log[0])
        self.assertIn('plain.html', self.log[0])

    def test_page_streamed_through_a_response(self):
        app = Microdot()

        @app.get('/')
        async def index(request):
            return Template('page.html').generate('S', range(300)), \
                {'Content-Type': 'text/html; charset=UTF-8'}

        @app.get('/whole')
        async def whole(request):
            return Template('page.html').render('S', range(300)), \
                {'Content-Type': 'text/html; charset=UTF-8'}

        client = make_client(app)
        res = run(client.get('/'))
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.headers.get('Transfer-Encoding'), 'chunked')
        self.assertEqual(res.text, self.render('page.html', 'S', range(300)))
        res2 = run(client.get('/whole'))
        self.assertEqual(res2.text, res.text)


class EscapeTest(unittest.TestCase):
    def test_escape(self):
        self.assertEqual(utemplate.escape('plain'), 'plain')
        self.assertEqual(utemplate.escape(None), 'None')
        self.assertEqual(utemplate.escape('<&>"\''),
                         '&lt;&amp;&gt;&quot;&#39;')

    def test_module_names(self):
        self.assertEqual(utemplate.module_name('templates', 'index.html'),
                         'templates_index_html')
        self.assertEqual(utemplate.module_name('/app/my-tpl/', 'a/b-c.tpl'),
                         'my_tpl_a_b_c_tpl')


if __name__ == '__main__':
    unittest.main()
