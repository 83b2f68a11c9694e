"""Jinja2 templates (CPython only).

    from microdot.jinja import Template

    Template.initialize('templates', enable_async=True)
    return await Template('index.html').render_async(name='x')

Autoescaping is on for ``.html``, ``.htm``, ``.xml`` and ``.svg``
templates (and for templates made from strings).
"""
from jinja2 import Environment, FileSystemLoader, select_autoescape


class Template:
    """A Jinja2 template loaded from the template folder."""

    #: the Jinja2 Environment (made by :meth:`initialize`)
    jinja_env = None

    @classmethod
    def initialize(cls, template_dir='templates', enable_async=False,
                   **kwargs):
        """Set the template folder; ``enable_async`` for
        :meth:`render_async`/:meth:`generate_async`; other keyword
        arguments go to ``jinja2.Environment``."""
        kwargs.setdefault('autoescape', select_autoescape(
            ['html', 'htm', 'xml', 'svg'], default_for_string=True))
        cls.jinja_env = Environment(loader=FileSystemLoader(template_dir),
                                    enable_async=enable_async, **kwargs)

    def __init__(self, template):
        if Template.jinja_env is None:
            Template.initialize()
        self.name = template
        #: the jinja2.Template
        self.template = Template.jinja_env.get_template(template)

    def generate(self, *args, **kwargs):
        """Render piece by piece: an iterator of strings."""
        return self.template.generate(*args, **kwargs)

    def render(self, *args, **kwargs):
        """Render to one string."""
        return self.template.render(*args, **kwargs)

    def generate_async(self, *args, **kwargs):
        """:meth:`generate` as an async iterator (needs ``enable_async``)."""
        return self.template.generate_async(*args, **kwargs)

    async def render_async(self, *args, **kwargs):
        """:meth:`render`, awaited (needs ``enable_async``)."""
        return await self.template.render_async(*args, **kwargs)
