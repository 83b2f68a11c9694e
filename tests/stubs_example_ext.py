"""The extensions, typed against their stubs, for tests/test_stubs.py.

As tests/stubs_example.py: mypy checks this file with the stubs of
``modules/microdot/*.pyi`` and the test runs :func:`main`. CPython only.
"""
from typing import Any, AsyncIterator, Dict, List, Optional

from microdot import Microdot, Request, Response, abort
from microdot.auth import BasicAuth
from microdot.compress import GZip
from microdot.cors import CORS
from microdot.csrf import CSRF
from microdot.middleware import Middleware
from microdot.rest import json_errors, paginate
from microdot.securityheaders import SecurityHeaders
from microdot.session import Session, SessionDict, with_session
from microdot.sse import SSE, with_sse
from microdot.test_client import TestClient
from microdot.timing import Timing
from microdot.trustedhost import TrustedHost
from microdot.websocket import WebSocket, WebSocketError, with_websocket

app = Microdot(middleware=[
    (TrustedHost, {'allowed_hosts': ['localhost', '*.example.com']}),
    Timing,
    (SecurityHeaders, {'frame_options': 'SAMEORIGIN'}),
])
app.add_middleware(GZip, minimum_size=100)
cors = CORS(app, allowed_origins=['https://panel.example.com'],
            allow_credentials=True)
csrf = CSRF(app, cors)
Session(app, secret_key='a key for the stubs example only, not a secret')
auth = BasicAuth(realm='stubs')
json_errors(app, '/api')


class Count(Middleware):
    """A route-level middleware with an option."""

    def __init__(self, next_handler: Any, header: str = 'X-Count') -> None:
        super().__init__(next_handler)
        self.header = header
        self.count = 0

    async def __call__(self, request: Request) -> Response:
        self.count += 1
        res = await self.next_handler(request)
        res.headers[self.header] = str(self.count)
        return res


@auth.authenticate
async def verify(request: Request, username: str,
                 password: str) -> Optional[str]:
    return username if password == 'pw' else None


@app.get('/secret', middleware=[(Count, {'header': 'X-N'})])
@auth
async def secret(request: Request) -> str:
    user: str = request.g.current_user
    return 'hi ' + user


@app.post('/name')
@with_session
async def set_name(request: Request, session: SessionDict) -> str:
    session['name'] = 'ann'
    session.save()
    return 'saved'


@app.get('/api/items')
async def items(request: Request) -> Dict[str, Any]:
    return paginate(request, list(range(25)), per_page=10)


@app.get('/api/fail')
async def fail(request: Request) -> str:
    abort(404, 'no such item')


@app.get('/events')
@with_sse
async def events(request: Request, sse: SSE) -> None:
    await sse.send({'n': 1}, event='tick')
    await sse.send('bye')


@app.get('/ws')
@with_websocket(subprotocols=['chat'])
async def ws(request: Request, sock: WebSocket) -> None:
    try:
        while True:
            msg = await sock.receive()
            await sock.send(msg if isinstance(msg, str) else b'bin')
    except WebSocketError:
        pass


class Talk:
    """A WebSocket test client: sends two messages, keeps the replies."""

    def __init__(self) -> None:
        self.replies: List[Any] = []
        self.todo = ['one', 'two']

    def __aiter__(self) -> AsyncIterator[Optional[str]]:
        return self

    async def __anext__(self) -> Optional[str]:
        if not self.todo:
            raise StopAsyncIteration
        return self.todo.pop(0)

    async def asend(self, reply: Any) -> Optional[str]:
        self.replies.append(reply)
        return await self.__anext__()


async def main() -> None:
    """Drive every route once (tests/test_stubs.py runs this)."""
    client = TestClient(app)
    res = await client.get('/secret')
    assert res.status_code == 401, res.status_code
    res = await client.get('/secret', headers={
        'Authorization': 'Basic dXNlcjpwdw=='})  # user:pw
    assert res.text == 'hi user', res.text
    assert res.headers['X-N'] == '2'  # the 401 went through it too
    assert res.headers['X-Frame-Options'] == 'SAMEORIGIN'
    assert 'Server-Timing' in res.headers
    res = await client.post('/name', headers={
        'Sec-Fetch-Site': 'cross-site', 'Origin': 'https://evil.example'})
    assert res.status_code == 403, res.status_code
    res = await client.post('/name')
    assert res.text == 'saved' and 'session' in client.cookies
    res = await client.get('/api/items?page=2')
    assert res.json is not None
    assert res.json['_meta']['page'] == 2, res.json
    res = await client.get('/api/fail')
    assert res.status_code == 404, res.status_code
    assert res.json == {'error': 'Not Found', 'message': 'no such item'}, \
        res.text
    res = await client.get('/events')
    assert res.events is not None
    assert res.events[0]['event'] == 'tick', res.events
    res = await client.get('/nowhere', headers={'Host': 'evil.test'})
    assert res.status_code == 400, res.status_code
    res = await client.websocket('/ws', Talk)
    assert res.status_code == 101, res.status_code
