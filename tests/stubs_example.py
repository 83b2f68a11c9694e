"""A small app typed against the public API, for tests/test_stubs.py.

mypy checks this file with the package's stubs (``modules/microdot/*.pyi``),
so the stubs are proven usable by an application, and the test also runs
:func:`main` so the example is proven to be real code. CPython only (the
annotations use the standard library's ``typing``).
"""
from typing import Any, Awaitable, Callable, Dict, List, Optional, Tuple

from microdot import (HTTPException, Microdot, MultiDict, NoCaseDict,
                      Request, Response, URLPattern, abort, redirect,
                      send_file, urldecode_str, urlencode)
from microdot.test_client import TestClient, TestResponse

app = Microdot()
api = Microdot()


class Stamp:
    """A middleware: adds a header to every response."""

    def __init__(self, next_handler: Callable[[Request], Awaitable[Response]],
                 name: str = 'X-Stamp') -> None:
        self.next_handler = next_handler
        self.name = name

    async def __call__(self, request: Request) -> Response:
        res = await self.next_handler(request)
        res.headers[self.name] = request.method
        return res


app.add_middleware(Stamp, name='X-Method')
URLPattern.register_type('stubhex', '[0-9a-f]+', lambda s: int(s, 16))


@app.before_request
async def who(request: Request) -> Optional[Response]:
    request.g.user = request.headers.get('X-User', 'anonymous')
    request.vary.add('X-User')
    return None


@app.after_request
def length(request: Request, response: Response) -> Response:
    response.headers['X-Length'] = response.headers.get('Content-Length', '')
    return response


@app.route('/')
async def index(request: Request) -> str:
    user: str = request.g.user
    return 'Hello, ' + user


@app.get('/items/<int:n>', endpoint='item')
async def item(request: Request, n: int) -> Dict[str, Any]:
    args: MultiDict = request.args
    page: int = args.get('page', 1, type=int)
    tags: List[str] = args.getlist('tag')
    return {'n': n, 'page': page, 'tags': tags,
            'self': request.url_for('item', n=n)}


@app.get('/hex/<stubhex:v>')
def hexa(request: Request, v: int) -> Tuple[str, int, Dict[str, str]]:
    return str(v), 200, {'X-Hex': 'yes'}


@app.post('/echo')
async def echo(request: Request) -> Response:
    data = request.json
    if data is None:
        abort(400, 'JSON expected')
    res = Response(data, 201, {'X-Echo': '1'})
    res.set_cookie('seen', 'yes', path='/', max_age=60, http_only=True)
    return res


@app.query('/search')
async def search(request: Request) -> str:
    length: int = request.content_length
    return 'query of %d bytes: %s' % (length, request.body.decode())


@app.get('/big')
async def big(request: Request) -> Response:
    chunk = await request.stream.read(16)
    res = Response(chunk)
    res.delete_cookie('seen', path='/')
    return res


@app.get('/old')
async def old(request: Request) -> Response:
    return redirect('/')


@app.get('/missing')
async def missing(request: Request) -> Response:
    return send_file('/nonexistent/file.txt', max_age=10)


@app.errorhandler(404)
async def not_found(request: Request) -> Tuple[str, int]:
    return 'nothing at ' + request.path, 404


@app.errorhandler(ValueError)
async def bad_value(request: Request, exc: ValueError) -> Tuple[str, int]:
    return str(exc), 400


@api.get('/users/<name>')
async def user(request: Request, name: str) -> Dict[str, str]:
    return {'name': name, 'prefix': request.url_prefix}


app.mount(api, '/api', name='v1')


def check(res: TestResponse, status: int, text: Optional[str] = None) -> None:
    assert res.status_code == status, (res.status_code, res.text)
    if text is not None:
        assert res.text == text, res.text


async def main() -> None:
    """Drive every route once (tests/test_stubs.py runs this)."""
    client = TestClient(app, cookies={'k': 'v'})
    check(await client.get('/', headers={'X-User': 'ann'}), 200,
          'Hello, ann')
    res = await client.get('/items/3?page=2&tag=a&tag=b')
    check(res, 200)
    assert res.json == {'n': 3, 'page': 2, 'tags': ['a', 'b'],
                        'self': '/items/3'}, res.json
    assert res.headers['X-Method'] == 'GET'
    check(await client.get('/hex/ff'), 200, '255')
    res = await client.post('/echo', json={'a': 1})
    check(res, 201)
    assert client.cookies['seen'] == 'yes'
    check(await client.post('/echo', body=b'x'), 400, 'JSON expected')
    check(await client.query('/search', body='q=1'), 200,
          'query of 3 bytes: q=1')
    check(await client.get('/big'), 200)
    assert 'seen' not in client.cookies
    res = await client.get('/old')
    check(res, 302)
    assert res.headers['Location'] == '/'
    check(await client.get('/missing'), 404, 'nothing at /missing')
    check(await client.get('/nowhere'), 404, 'nothing at /nowhere')
    head = await client.head('/')
    assert head.body is None
    check(await client.get('/api/users/bob'), 200)
    assert app.url_for('v1.user', name='bob') == '/api/users/bob'
    headers = NoCaseDict({'Content-Type': 'text/plain'})
    assert headers['content-type'] == 'text/plain'
    assert urldecode_str(urlencode('a b&c')) == 'a b&c'
    try:
        abort(418)
    except HTTPException as exc:
        assert exc.status_code == 418
    made: Response = Microdot.make_response(('body', 202))
    assert made.status_code == 202
