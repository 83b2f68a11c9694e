"""microdot.jinja: Jinja2 templates on CPython (skips elsewhere)."""
import unittest

try:
    import jinja2
except ImportError:
    jinja2 = None

from support import run, make_client, make_temp_dir, remove_tree, write_file


@unittest.skipIf(jinja2 is None, 'Jinja2 is not installed (CPython only)')
class JinjaTest(unittest.TestCase):
    def setUp(self):
        from microdot.jinja import Template
        self.Template = Template
        self.dir = make_temp_dir('jinja')
        write_file(self.dir + '/page.html',
                   '<h1>{{ title }}</h1>{% for i in items %}<i>{{ i }}</i>'
                   '{% endfor %}{{ raw|safe }}')
        write_file(self.dir + '/note.txt', '{{ title }}')
        Template.initialize(self.dir)

    def tearDown(self):
        self.Template.jinja_env = None
        remove_tree(self.dir)

    def test_render_escapes_html(self):
        out = self.Template('page.html').render(title='<x>', items=[1, 2],
                                                raw='<b>')
        self.assertEqual(out, '<h1>&lt;x&gt;</h1><i>1</i><i>2</i><b>')

    def test_text_templates_not_escaped(self):
        self.assertEqual(self.Template('note.txt').render(title='<x>'),
                         '<x>')

    def test_generate(self):
        pieces = list(self.Template('page.html').generate(
            title='t', items=range(3), raw=''))
        self.assertGreater(len(pieces), 1)
        self.assertEqual(''.join(pieces),
                         '<h1>t</h1><i>0</i><i>1</i><i>2</i>')

    def test_async(self):
        self.Template.initialize(self.dir, enable_async=True)
        t = self.Template('page.html')

        async def go():
            whole = await t.render_async(title='a', items=[1], raw='')
            parts = []
            async for p in t.generate_async(title='a', items=[1], raw=''):
                parts.append(p)
            return whole, ''.join(parts)

        whole, streamed = run(go())
        self.assertEqual(whole, '<h1>a</h1><i>1</i>')
        self.assertEqual(streamed, whole)

    def test_default_folder_and_in_an_app(self):
        from microdot import Microdot
        self.Template.jinja_env = None
        self.Template.initialize(self.dir)
        app = Microdot()

        @app.get('/')
        async def index(request):
            return self.Template('page.html').render(
                title='T', items=[], raw=''), {'Content-Type': 'text/html'}

        res = run(make_client(app).get('/'))
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.text, '<h1>T</h1>')

    def test_missing_template(self):
        with self.assertRaises(jinja2.TemplateNotFound):
            self.Template('nope.html')


if __name__ == '__main__':
    unittest.main()
