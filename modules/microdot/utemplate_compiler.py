"""Compiles utemplate-syntax templates into Python source.

A template becomes a module with one generator function, ``render``, that
yields the page piece by piece: literal text as string constants (in flash
when the module is frozen) and expressions as they are evaluated. Used by
``tools/compile_templates.py`` on the build machine, and by
:mod:`microdot.utemplate` on a device that lacks a compiled module.

Syntax (utemplate's, plus escaping)::

    {% args title, items=() %}     the arguments of render() (first)
    {{ expr }}                     a Python expression, as str (HTML-escaped
                                   in .html/.htm/.xml/.svg templates)
    {{ expr|safe }}                not escaped;  {{ expr|e }} always escaped
    {% if c %} {% elif c %} {% else %} {% endif %}
    {% for x in seq %} {% endfor %}   {% while c %} {% endwhile %}
    {% set x = expr %}
    {% include "other.html" a, b=1 %}  {% include {{ name }} %}
    {# a comment #}

A line end right after a ``{% %}`` or ``{# #}`` tag is dropped, so tags on
lines of their own leave no blank lines. Names starting with ``_`` are the
engine's own inside ``render`` (``_s``, ``_f``, ``_e``, ``_i``, ``_c``):
templates should not assign them. A compiled module keeps the templates it
includes once they are loaded (``_c``).
"""

HTML_EXTENSIONS = ('.html', '.htm', '.xml', '.svg', '.xhtml')
# literal text at least this long is yielded as its constant, not copied
# into a formatted piece
LONG_TEXT = 200
_SPECIAL = ('\'&\' in _s or \'<\' in _s or \'>\' in _s or \'"\' in _s or '
            '"\'" in _s')
_BLOCKS = {'if': 'endif', 'for': 'endfor', 'while': 'endwhile'}


class TemplateSyntaxError(Exception):
    """A template that does not compile: ``template``, ``line``, ``msg``."""

    def __init__(self, template, line, msg):
        super().__init__('%s, line %d: %s' % (template, line, msg))
        self.template = template
        self.line = line
        self.msg = msg


def is_html(name):
    """True for the templates whose expressions are escaped by default."""
    name = name.lower()
    for ext in HTML_EXTENSIONS:
        if name.endswith(ext):
            return True
    return False


class _Compiler:
    def __init__(self, name, autoescape, resolve=None, shared=None):
        self.name = name
        self.autoescape = autoescape
        self.resolve = resolve
        # what the compilers of one module share: the functions of the
        # templates inlined into it (by name), and those being compiled
        self.shared = shared or {'funcs': [], 'names': {}, 'active': [name],
                                 'all': []}
        self.shared['all'].append(self)
        self.out = []
        self.stack = []      # (keyword, line) of the open blocks
        self.args = '*args, **kwargs'
        self.started = False  # output or a statement seen: args too late
        self.yields = False
        self.snippets = []   # (line, kind, code): to locate Python errors
        self.parts = []      # text and expressions not emitted yet

    def error(self, line, msg):
        raise TemplateSyntaxError(self.name, line, msg)

    def line(self, code, line=0):
        self.out.append('    ' * (len(self.stack) + 1) + code +
                        ('  # line %d' % line if line else ''))

    def emit(self, code, line):
        self.flush()
        self.line(code, line)

    def flush(self):
        # The text and expressions between two statements go out as one
        # piece: a format string and the values, one yield (a generator
        # step per piece is what rendering spends most on). Long text is
        # yielded as the constant it is, so it is never copied.
        parts, self.parts = self.parts, []
        group = []
        for p in parts:
            if isinstance(p, str) and len(p) >= LONG_TEXT:
                self.piece(group)
                group = []
                self.line('yield %r' % p)
            else:
                group.append(p)
        self.piece(group)

    def piece(self, group):
        exprs = [p for p in group if not isinstance(p, str)]
        if not exprs:
            if group:
                self.line('yield %r' % ''.join(group))
            return
        line = exprs[0][2]
        if len(group) == 1:
            code, escape = exprs[0][0], exprs[0][1]
            if escape:
                # the test inline, the call only for text that needs
                # escaping: most values then cost no Python call
                self.line('_s = str(%s)' % code, line)
                self.line('yield _e(_s) if %s else _s' % _SPECIAL)
            else:
                self.line('yield str(%s)' % code, line)
            return
        fmt = ''
        for p in group:
            fmt += p.replace('%', '%%') if isinstance(p, str) else '%s'
        n = len(exprs)
        values = '(%s%s)' % (', '.join(p[0] for p in exprs),
                             ',' if n == 1 else '')
        esc = [i for i in range(n) if exprs[i][1]]
        if not esc:
            self.line('yield %r %% %s' % (fmt, values), line)
            return
        self.line('_v = %s' % values, line)
        if len(esc) == n:
            self.line('_s = %r %% _v' % ('%s' * n))
        else:  # only the escaped values are tested
            self.line('_s = %r %% (%s,)' % ('%s' * len(esc), ', '.join(
                '_v[%d]' % i for i in esc)))
        self.line('if %s:' % _SPECIAL)
        self.line('    _v = (%s,)' % ', '.join(
            ('_e(_v[%d])' if i in esc else '_v[%d]') % i for i in range(n)))
        self.line('yield %r %% _v' % fmt)

    def literal(self, text):
        if text:
            self.started = True
            self.yields = True
            if self.parts and isinstance(self.parts[-1], str):
                self.parts[-1] += text
            else:
                self.parts.append(text)

    def expression(self, code, line):
        code = code.strip()
        escape = self.autoescape
        head, bar, filt = code.rpartition('|')
        filt = filt.strip()
        if bar and filt in ('safe', 'e'):  # a trailing |safe or |e
            code, escape = head.rstrip(), filt == 'e'
        if not code:
            self.error(line, 'expected an expression inside {{ }}')
        self.snippets.append((line, 'expr', code))
        self.started = True
        self.yields = True
        self.parts.append((code, escape, line))

    def statement(self, code, line):
        code = code.strip()
        word, _, rest = code.partition(' ')
        rest = rest.strip()
        if word == 'args':
            if self.started:
                self.error(line, '{% args %} must come before any output '
                                 'or statement')
            self.snippets.append((line, 'args', rest))
            self.args = rest
            self.started = True
            return
        self.started = True
        if word in _BLOCKS:
            if not rest:
                self.error(line, 'expected a condition after {%% %s %%}'
                           % word)
            self.snippets.append((line, word, rest))
            self.emit('%s %s:' % (word, rest), line)
            self.stack.append((word, line))
            self.emit('pass', 0)
        elif word in ('elif', 'else'):
            if not self.stack or self.stack[-1][0] != 'if':
                self.error(line, '{%% %s %%} outside {%% if %%}' % word)
            if word == 'elif':
                if not rest:
                    self.error(line, 'expected a condition after '
                                     '{% elif %}')
                self.snippets.append((line, 'if', rest))
            elif rest:
                self.error(line, 'expected %} after {% else')
            self.flush()
            self.stack.pop()
            self.emit(('elif %s:' % rest) if word == 'elif' else 'else:',
                      line)
            self.stack.append(('if', line))
            self.emit('pass', 0)
        elif word.startswith('end'):
            if rest:
                self.error(line, 'expected %%} after {%% %s' % word)
            if not self.stack:
                self.error(line, 'unexpected {%% %s %%}: no block is open'
                           % word)
            want = _BLOCKS[self.stack[-1][0]]
            if word != want:
                self.error(line, 'expected {%% %s %%} (for the %s of line '
                           '%d), found {%% %s %%}' % (
                               want, self.stack[-1][0], self.stack[-1][1],
                               word))
            self.flush()
            self.stack.pop()
        elif word == 'set':
            if '=' not in rest:
                self.error(line, 'expected {% set name = expression %}')
            self.snippets.append((line, 'set', rest))
            self.emit(rest, line)
        elif word == 'include':
            self.include(rest, line)
        else:
            self.error(line, "unknown statement '%s' (expected args, if, "
                       "elif, else, for, while, set, include or end...)"
                       % word)

    def include(self, rest, line):
        if rest.startswith('"') or rest.startswith("'"):
            end = rest.find(rest[0], 1)
            if end < 0:
                self.error(line, 'expected a closing quote after the '
                                 'template name')
            target = rest[:end + 1]
            args = rest[end + 1:].strip()
        elif rest.startswith('{{'):
            end = rest.find('}}')
            if end < 0:
                self.error(line, "expected '}}' after the template name")
            target = rest[2:end].strip()
            args = rest[end + 2:].strip()
        else:
            self.error(line, 'expected a quoted template name or {{ expr }} '
                             'after {% include')
        if args.startswith(','):
            args = args[1:].strip()
        if args:
            self.snippets.append((line, 'call', args))
        self.yields = True
        fn = self.inline(target, line)
        if fn:
            self.emit('yield from %s(%s)' % (fn, args), line)
        elif target[0] in '"\'':
            # a static include: resolved once, then kept in the module
            self.emit('_f = _c.get(%s)' % target, line)
            self.emit('if _f is None:', 0)
            self.emit('    _f = _c[%s] = _i(%s)' % (target, target), 0)
            self.emit('yield from _f(%s)' % args, 0)
        else:
            self.emit('yield from _i(%s)(%s)' % (target, args), line)

    def inline(self, target, line):
        """Compile a static include into this module, as a function of
        its own: the name of that function, or None (no resolver, no
        source, or an include cycle: included at run time instead)."""
        if self.resolve is None or target[0] not in '"\'' or \
                '\\' in target:
            return None
        name = target[1:-1]
        shared = self.shared
        fn = shared['names'].get(name)
        if fn is not None:
            return fn
        if name in shared['active']:
            return None
        found = self.resolve(name)
        if found is None:
            return None
        display, source = found
        fn = '_t'
        for c in name:
            fn += c if ('a' <= c <= 'z' or 'A' <= c <= 'Z' or
                        '0' <= c <= '9') else '_'
        sub = _Compiler(display, is_html(name), self.resolve, shared)
        shared['active'].append(name)
        sub.parse(source)
        shared['active'].pop()
        shared['names'][name] = fn
        shared['funcs'].extend(sub.function(fn) + ['', ''])
        return fn

    def function(self, fname):
        lines = ['def %s(%s):' % (fname, self.args)]
        if not self.yields:
            lines.append("    yield ''")
        return lines + self.out

    def compile(self, source):
        self.parse(source)
        head = ['# Compiled from the template %s by microdot\'s template '
                'compiler: do not edit.' % self.name,
                'from microdot.utemplate import escape as _e, include as _i',
                '_c = {}  # the templates this one includes, once loaded',
                '', '']
        return '\n'.join(head + self.shared['funcs'] +
                         self.function('render')) + '\n'

    def parse(self, source):
        line = 1
        pos = 0
        n = len(source)
        while pos < n:
            i = source.find('{', pos)
            while i >= 0 and i + 1 < n and source[i + 1] not in '{%#':
                i = source.find('{', i + 1)
            if i < 0 or i + 1 >= n:
                self.literal(source[pos:])
                break
            self.literal(source[pos:i])
            line += source.count('\n', pos, i)
            kind = source[i + 1]
            close = {'{': '}}', '%': '%}', '#': '#}'}[kind]
            j = source.find(close, i + 2)
            if j < 0:
                self.error(line, "expected '%s' to close '%s'"
                           % (close, source[i:i + 2]))
            code = source[i + 2:j]
            if kind == '{':
                self.expression(code, line)
            elif kind == '%':
                self.statement(code, line)
            line += source.count('\n', i, j)
            pos = j + 2
            if kind != '{' and source.startswith('\n', pos):
                pos += 1
                line += 1
        if self.stack:
            word, at = self.stack[-1]
            self.error(line, 'expected {%% %s %%} before the end of the '
                       'template (the %s of line %d is not closed)'
                       % (_BLOCKS[word], word, at))
        self.flush()


def compile_template(source, name, autoescape=None, resolve=None):
    """Return the Python source of the module compiled from ``source``.

    ``name`` is the template's name (for errors, and to decide escaping
    when ``autoescape`` is None: on for HTML templates). ``resolve(name)``
    returns ``(display name, source)`` of another template, or None:
    static includes it resolves are compiled into this module (no import
    and no lookup at run time); the others are loaded when rendered.
    Raises :class:`TemplateSyntaxError` naming the template, the line and
    what was expected, also for Python errors inside tags.
    """
    if autoescape is None:
        autoescape = is_html(name)
    c = _Compiler(name, autoescape, resolve)
    code = c.compile(source)
    try:
        compile(code, name, 'exec')
    except SyntaxError:
        for sub in c.shared['all']:
            _locate(sub)
        raise TemplateSyntaxError(name, 1, 'invalid Python in the template')
    return code


_WRAP = {'expr': '(%s)\n', 'args': 'def f(%s):\n pass\n',
         'if': 'if %s:\n pass\n', 'for': 'for %s:\n pass\n',
         'while': 'while %s:\n pass\n', 'set': '%s\n', 'call': 'f(%s)\n'}


def _locate(c):
    # the first tag whose Python code does not compile on its own
    for line, kind, code in c.snippets:
        try:
            compile(_WRAP[kind] % code, c.name, 'exec')
        except SyntaxError:
            what = {'expr': 'a Python expression', 'args': 'an argument list',
                    'set': 'an assignment', 'call': 'include arguments'}
            c.error(line, 'expected %s, found %r' % (
                what.get(kind, 'a Python condition'), code))


def file_resolver(template_dir, display_dir=None):
    """A ``resolve`` for :func:`compile_template` reading the templates of
    ``template_dir`` (named ``display_dir/name`` in errors)."""
    prefix = (display_dir or template_dir).rstrip('/') + '/'

    def resolve(name):
        try:
            with open(template_dir.rstrip('/') + '/' + name) as f:
                return prefix + name, f.read()
        except OSError:
            return None
    return resolve
