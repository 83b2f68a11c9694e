"""The type stubs shipped next to the framework (modules/microdot/*.pyi).

- mypy's stubtest compares every stub with the module it describes, as
  imported on CPython: names, signatures (argument names, kinds, defaults),
  classes, methods, module constants, ``__all__``; a runtime module with no
  stub is an error too. tests/stubtest_allowlist.txt lists the few names
  only MicroPython or a dynamic namespace has, each with its reason.
- Attributes that stubtest can not see (set in ``__init__`` or computed on
  first use by ``__getattr__``) are checked on real objects here.
- mypy checks tests/stubs_example.py and stubs_example_ext.py, small apps
  typed against the public API of the core and of the extensions, and must
  reject a file of misuses line by line: the stubs are usable and say
  something. The examples are also run, so they are real code.
- A stub broken on purpose (in a copy) must make stubtest fail.

CPython only; skipped when mypy is not installed (requirements.txt pins it).
"""
import sys
import unittest

IS_MICROPYTHON = sys.implementation.name == 'micropython'
if not IS_MICROPYTHON:
    import ast
    import glob
    import os
    import shutil
    import subprocess
    import tempfile
    try:
        import mypy  # noqa: F401
    except ImportError:
        mypy = None
else:
    mypy = None

HERE = os.path.dirname(os.path.abspath(__file__)) if not IS_MICROPYTHON \
    else ''
ROOT = os.path.dirname(HERE) if not IS_MICROPYTHON else ''
MODULES = os.path.join(ROOT, 'modules') if not IS_MICROPYTHON else ''
ALLOWLIST = os.path.join(HERE, 'stubtest_allowlist.txt') \
    if not IS_MICROPYTHON else ''

# Each line ending in "# E" must get a mypy error, and no other line.
MISUSES = '''\
from microdot import Microdot, Request, Response, URLPattern, abort
from microdot.test_client import TestClient

app = Microdot()
app.route(42)  # E
app.get('/x', methods=['POST'])  # E
app.idle_timout = 3  # E
Response(status_code='200')  # E
Response.redirect('/', 'found')  # E
URLPattern('/<x>').match(b'/x')  # E


@app.route('/')
async def index(request: Request) -> str:
    n: int = request.body  # E
    request.no_such_attribute  # E
    request.g.anything = 1
    return request.path


async def client() -> None:
    c = TestClient(app)
    await c.get('/', body=b'x')  # E
    res = await c.get('/')
    code: str = res.status_code  # E


def stop() -> None:
    abort('404')  # E
'''


def _stub_tree(top):
    """Copy the stubs (only) into ``top``/microdot: stubtest checks the
    modules found there, and mypy never analyses the .py sources."""
    dest = os.path.join(top, 'microdot')
    os.makedirs(dest)
    for path in glob.glob(os.path.join(MODULES, 'microdot', '*.pyi')):
        shutil.copy(path, dest)
    return dest


def _mypy(args, cwd, stubs):
    """Run ``python -m <args>`` with the stubs on MYPYPATH and the framework
    on PYTHONPATH; return (exit status, output)."""
    env = dict(os.environ)
    env['MYPYPATH'] = stubs
    env['PYTHONPATH'] = MODULES
    proc = subprocess.run([sys.executable, '-m'] + args, cwd=cwd, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=300)
    return proc.returncode, proc.stdout.decode('utf-8', 'replace')


def _stubtest(cwd, stubs):
    return _mypy(['mypy.stubtest', 'microdot', '--allowlist', ALLOWLIST,
                  '--mypy-config-file', os.path.join(cwd, 'mypy.ini')],
                 cwd, stubs)


def _annotated(pyi, cls_name):
    """Names annotated in the body of class ``cls_name`` of a stub (its
    attributes), ClassVars left out."""
    with open(pyi) as f:
        tree = ast.parse(f.read())
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == cls_name:
            names = []
            for item in node.body:
                if isinstance(item, ast.AnnAssign) and \
                        'ClassVar' not in ast.dump(item.annotation):
                    names.append(item.target.id)
            return names
    raise AssertionError('no class %s in %s' % (cls_name, pyi))


@unittest.skipIf(IS_MICROPYTHON, 'type stubs are checked on CPython only')
@unittest.skipIf(mypy is None, 'mypy is not installed')
class StubsTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix='microdot-stubs-')
        cls.stubs = os.path.join(cls.tmp, 'stubs')
        _stub_tree(cls.stubs)
        with open(os.path.join(cls.tmp, 'mypy.ini'), 'w') as f:
            f.write('[mypy]\n')

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_stubtest(self):
        status, out = _stubtest(self.tmp, self.stubs)
        self.assertEqual(status, 0, 'stubtest found mismatches:\n' +
                         out[-6000:])

    def test_broken_stub_fails(self):
        # the same check must fail on a stub that disagrees with the code
        top = os.path.join(self.tmp, 'broken')
        stubs = os.path.join(top, 'stubs')
        dest = _stub_tree(stubs)
        shutil.copy(os.path.join(self.tmp, 'mypy.ini'), top)
        path = os.path.join(dest, 'exceptions.pyi')
        with open(path) as f:
            text = f.read()
        old = 'def abort(status_code: int, reason: str | None = None)'
        self.assertTrue(old in text, 'update the mutation in this test')
        with open(path, 'w') as f:
            f.write(text.replace(old, 'def abort(status_code: int, '
                                      'why: str | None = None)'))
        status, out = _stubtest(top, stubs)
        self.assertNotEqual(status, 0, out)
        self.assertIn('microdot.exceptions.abort', out)

    def test_example_type_checks(self):
        status, out = _mypy(['mypy', '--strict', '--config-file',
                             os.path.join(self.tmp, 'mypy.ini'),
                             os.path.join(HERE, 'stubs_example.py'),
                             os.path.join(HERE, 'stubs_example_ext.py')],
                            self.tmp, self.stubs)
        self.assertEqual(status, 0, out)

    def test_misuse_is_rejected(self):
        path = os.path.join(self.tmp, 'misuse.py')
        with open(path, 'w') as f:
            f.write(MISUSES)
        status, out = _mypy(['mypy', '--config-file',
                             os.path.join(self.tmp, 'mypy.ini'), path],
                            self.tmp, self.stubs)
        self.assertEqual(status, 1, out)
        expected = [n + 1 for n, line in enumerate(MISUSES.splitlines())
                    if line.endswith('# E')]
        found = sorted(set(int(line.split(':')[1]) for line in
                           out.splitlines() if ': error:' in line))
        self.assertEqual(found, expected, out)

    def test_example_runs(self):
        from support import run
        import stubs_example
        run(stubs_example.main())

    def test_example_ext_runs(self):
        from support import run
        import stubs_example_ext
        run(stubs_example_ext.main())

    def test_instance_attributes(self):
        # what stubtest can not see: attributes set in __init__ or served
        # by __getattr__ must exist on real objects
        from microdot import Microdot, Request, Response
        from microdot.structures import NoCaseDict
        from microdot.connection import Connection
        from microdot.server import Server
        from microdot.test_client import TestResponse
        from microdot.routing import URLPattern, Route
        from microdot.body import BodyStream, BytesStream, ChunkedStream
        from microdot.streaming import BodyIterator
        app = Microdot()
        req = Request(app, ('10.0.0.1', 1234), 'GET', '/a?b=1', '1.1',
                      NoCaseDict({'Host': 'x', 'Cookie': 'c=1'}),
                      sock=(None, None))
        conn = Connection(None)
        pattern = URLPattern('/<int:x>')
        ws_only = ('messages', 'close_code')  # set by TestClient.websocket
        objects = [
            ('microdot.pyi', 'Microdot', app, ()),
            ('request.pyi', 'Request', req, ()),
            ('response.pyi', 'Response', Response(), ()),
            ('test_client.pyi', 'TestResponse',
             TestResponse(b'HTTP/1.1 200 OK\r\n\r\nhi'), ws_only),
            ('connection.pyi', 'Connection', conn, ()),
            ('server.pyi', 'Server', Server(app), ()),
            ('routing.pyi', 'URLPattern', pattern, ()),
            ('routing.pyi', 'Route',
             Route(['GET'], pattern, print, 'print'), ()),
            ('body.pyi', 'BodyStream', BodyStream(conn, 1), ()),
            ('body.pyi', 'BytesStream', BytesStream(b''), ()),
            ('body.pyi', 'ChunkedStream', ChunkedStream(conn, 1, 1), ()),
            ('streaming.pyi', 'BodyIterator', BodyIterator(b'', 1), ()),
        ]
        self._check_attributes(objects)

    def test_instance_attributes_ext(self):
        from microdot import Microdot, Request
        from microdot.structures import NoCaseDict
        from microdot import (asgi, auth, compress, cors, csrf,
                              httpsredirect, login, middleware, multipart,
                              pubsub, securityheaders, session, sse, timing,
                              trustedhost, urlfor, utemplate,
                              utemplate_compiler, websocket, wsgi)
        app = Microdot()
        req = Request(app, None, 'POST', '/', '1.1', NoCaseDict(
            {'Host': 'x', 'Content-Type': 'multipart/form-data; boundary=b'}),
            sock=(None, None))

        async def nxt(request):
            return None
        objects = [
            ('asgi.pyi', 'Microdot', asgi.Microdot(), ()),
            ('asgi.pyi', 'WebSocket', asgi.WebSocket(req, None, None), ()),
            ('wsgi.pyi', 'Microdot', wsgi.Microdot(), ()),
            ('auth.pyi', 'BaseAuth', auth.BaseAuth(), ()),
            ('auth.pyi', 'BasicAuth', auth.BasicAuth(), ()),
            ('auth.pyi', 'TokenAuth', auth.TokenAuth(), ()),
            ('compress.pyi', 'GZip', compress.GZip(nxt), ()),
            ('cors.pyi', 'CORS', cors.CORS(), ()),
            ('csrf.pyi', 'CSRF', csrf.CSRF(), ()),
            ('httpsredirect.pyi', 'HTTPSRedirect',
             httpsredirect.HTTPSRedirect(nxt), ()),
            ('login.pyi', 'Login', login.Login(), ()),
            ('middleware.pyi', 'Middleware', middleware.Middleware(nxt), ()),
            ('multipart.pyi', 'FormDataIter', multipart.FormDataIter(req),
             ()),
            ('multipart.pyi', 'FileUpload',
             multipart.FileUpload('a.txt', None, b''), ()),
            ('pubsub.pyi', 'Hub', pubsub.Hub(), ()),
            ('securityheaders.pyi', 'SecurityHeaders',
             securityheaders.SecurityHeaders(nxt), ()),
            ('session.pyi', 'Session', session.Session(), ()),
            ('session.pyi', 'SessionDict', session.SessionDict(req, {}), ()),
            ('sse.pyi', 'SSE', sse.SSE(), ()),
            ('timing.pyi', 'Timing', timing.Timing(nxt), ()),
            ('trustedhost.pyi', 'TrustedHost', trustedhost.TrustedHost(nxt),
             ()),
            ('urlfor.pyi', 'BuildError', urlfor.BuildError('e', 'm'), ()),
            ('utemplate.pyi', 'Loader', utemplate.Loader(None, 't'), ()),
            ('utemplate_compiler.pyi', 'TemplateSyntaxError',
             utemplate_compiler.TemplateSyntaxError('t', 1, 'm'), ()),
            ('websocket.pyi', 'WebSocket', websocket.WebSocket(req), ()),
            ('websocket.pyi', 'WebSocketError', websocket.WebSocketError(),
             ()),
        ]
        self._check_attributes(objects)

    def _check_attributes(self, objects):
        for pyi, name, obj, skip in objects:
            names = _annotated(os.path.join(MODULES, 'microdot', pyi), name)
            for attr in names:
                if attr not in skip:
                    self.assertTrue(hasattr(obj, attr), '%s: %s.%s' % (
                        pyi, name, attr))


if __name__ == '__main__':
    unittest.main()
