"""Templates in utemplate's syntax, compiled ahead of time.

    from microdot.utemplate import Template

    @app.get('/')
    async def index(request):
        return Template('index.html').render(title='Home'), \\
            {'Content-Type': 'text/html'}

A template ``templates/index.html`` is compiled (by
``tools/compile_templates.py`` on the build machine) into the module
``templates_index_html`` (see :func:`module_name`), which is frozen into the
firmware: at run time the module is imported and nothing is compiled. When
no compiled module can be imported, the template is compiled from source on
the device (slower, and it costs RAM) and a log line says so. The syntax is
in :mod:`microdot.utemplate_compiler`; expressions are HTML-escaped in
``.html``/``.htm``/``.xml``/``.svg`` templates (``{{ x|safe }}`` for raw).

Any loader with pfalcon's ``utemplate`` interface works too:
``Template.initialize(loader_class=utemplate.recompile.Loader)``.
"""


#: where the line saying a template is compiled on the device goes
log = print


def escape(value):
    """``str(value)`` with ``& < > " '`` replaced by HTML entities."""
    s = str(value)
    # most values need nothing: five scans, then no new string
    if '&' in s or '<' in s or '>' in s or '"' in s or "'" in s:
        return s.replace('&', '&amp;').replace('<', '&lt;') \
            .replace('>', '&gt;').replace('"', '&quot;') \
            .replace("'", '&#39;')
    return s


def module_name(template_dir, name):
    """The module a template compiles to: the last folder of
    ``template_dir`` and the template's name, with every byte other than
    an ASCII letter or digit made ``_`` (``templates/index.html`` ->
    ``templates_index_html``)."""
    base = template_dir.rstrip('/').rpartition('/')[2] or 'templates'
    # bytes edited in place: a handful of allocations, not one per char
    out = bytearray(base + '/' + name, 'utf-8')
    for i in range(len(out)):
        c = out[i]
        if not (97 <= c <= 122 or 65 <= c <= 90 or 48 <= c <= 57):
            out[i] = 95
    return out.decode()


class Loader:
    """Loads compiled templates, compiling from source when needed.

    ``Loader(pkg, dir)`` and ``load(name)`` -> the template's ``render``
    generator function, as pfalcon's utemplate loaders. ``pkg`` is ignored
    (compiled modules are top-level modules, frozen or on ``sys.path``).
    """

    #: set to False to refuse compiling on the device (ImportError instead)
    compile_missing = True

    def __init__(self, pkg, dir):
        self.dir = dir
        self.cache = {}

    def load(self, name):
        render = self.cache.get(name)
        if render is None:
            render = self.cache[name] = self._load(name)
        return render

    def _load(self, name):
        modname = module_name(self.dir, name)
        try:
            return __import__(modname).render
        except ImportError as exc:
            if modname not in str(exc) or not self.compile_missing:
                raise  # the compiled module exists but failed to import
        path = self.dir.rstrip('/') + '/' + name
        log('microdot.utemplate: compiling %s from source (no compiled '
            'module %s)' % (path, modname))
        from .utemplate_compiler import compile_template, file_resolver
        with open(path) as f:
            source = f.read()
        code = compile_template(source, path,
                                resolve=file_resolver(self.dir))
        source = None
        namespace = {}
        exec(code, namespace)
        return namespace['render']


class _AsyncIter:
    # an async iterator over a sync generator (no async generators on
    # MicroPython)
    def __init__(self, gen):
        self.gen = gen

    def __aiter__(self):
        return self

    async def __anext__(self):
        try:
            return next(self.gen)
        except StopIteration:
            raise StopAsyncIteration

    async def aclose(self):
        self.gen.close()


class Template:
    """A template loaded from the template folder (``templates`` unless
    :meth:`initialize` says otherwise)."""

    _loader = None

    @classmethod
    def initialize(cls, template_dir='templates', loader_class=None):
        """Set the folder templates load from, and the loader class (ours
        by default; pfalcon's ``compiled``/``source``/``recompile``
        ``Loader`` work too)."""
        cls._loader = (loader_class or Loader)(None, template_dir)

    def __init__(self, template):
        if Template._loader is None:
            Template.initialize()
        self.name = template
        #: the compiled template: a generator function
        self.template = Template._loader.load(template)

    def generate(self, *args, **kwargs):
        """Render piece by piece: an iterator of strings (return it from a
        handler to stream the page)."""
        return self.template(*args, **kwargs)

    def render(self, *args, **kwargs):
        """Render to one string."""
        return ''.join(self.template(*args, **kwargs))

    def generate_async(self, *args, **kwargs):
        """:meth:`generate` as an async iterator."""
        return _AsyncIter(self.template(*args, **kwargs))

    async def render_async(self, *args, **kwargs):
        """:meth:`render` for async code."""
        return ''.join(self.template(*args, **kwargs))


def include(name):
    """The render function of another template (``{% include %}``)."""
    return Template._loader.load(name)
