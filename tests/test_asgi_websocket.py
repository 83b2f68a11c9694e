"""WebSocket over ASGI, in-process: the accept_websocket() seam and, when
the websocket extension is present, with_websocket handlers unchanged."""
import asyncio
import sys
import unittest

from support import run

IS_MICROPYTHON = sys.implementation.name == 'micropython'
if not IS_MICROPYTHON:
    from microdot import Response
    from microdot.asgi import Microdot
    try:
        from microdot.websocket import with_websocket
    except ImportError:
        with_websocket = None


def ws_scope(path='/ws', subprotocols=(), extensions=None):
    return {'type': 'websocket', 'asgi': {'version': '3.0'},
            'http_version': '1.1', 'scheme': 'ws', 'path': path,
            'raw_path': path.encode(), 'query_string': b'',
            'headers': [(b'host', b'x'), (b'upgrade', b'websocket'),
                        (b'connection', b'Upgrade'),
                        (b'sec-websocket-key', b'dGhlIHNhbXBsZSBub25jZQ=='),
                        (b'sec-websocket-version', b'13')],
            'subprotocols': list(subprotocols), 'client': ('127.0.0.1', 9),
            'extensions': extensions or {}}


class Client:
    """The ASGI server's side of a WebSocket: messages to hand the app,
    and what it sent."""

    def __init__(self, *inbox):
        self.inbox = asyncio.Queue()
        for msg in ({'type': 'websocket.connect'},) + inbox:
            self.inbox.put_nowait(msg)
        self.sent = []

    async def receive(self):
        return await self.inbox.get()

    async def send(self, msg):
        self.sent.append(msg)

    def types(self):
        return [m['type'] for m in self.sent]


def text(s):
    return {'type': 'websocket.receive', 'text': s}


def talk(app, client, s=None):
    run(asyncio.wait_for(app(s or ws_scope(), client.receive, client.send),
                         5))
    return client


@unittest.skipIf(IS_MICROPYTHON, 'ASGI runs on CPython only')
class AsgiWebSocketSeamTest(unittest.TestCase):
    """accept_websocket() as the websocket extension calls it."""

    def setUp(self):
        self.app = app = Microdot()
        self.log = log = []

        @app.route('/ws')
        async def ws(request):
            sock = await request.app.accept_websocket(request, ['b', 'a'])
            log.append(sock.subprotocol)
            try:
                while True:
                    msg = await sock.receive()
                    if msg == 'bye':
                        await sock.close(4001, 'as asked')
                        break
                    await sock.send(msg)
            except Exception as exc:
                log.append(('gone', sock.close_code, sock.close_reason,
                            type(exc).__name__))
            return Response.already_handled

        @app.route('/private')
        @app.route('/quiet')
        async def quiet(request):
            await request.app.accept_websocket(request, None)
            return Response.already_handled

        @app.before_request
        async def guard(request):
            if request.path == '/private':
                return 'no', 401

    def test_echo_text_and_binary(self):
        c = talk(self.app, Client(text('hi'), {'type': 'websocket.receive',
                                               'bytes': b'\x00\x01'},
                                  text('bye')))
        self.assertEqual(c.types(), ['websocket.accept', 'websocket.send',
                                     'websocket.send', 'websocket.close'])
        self.assertEqual(c.sent[1], {'type': 'websocket.send', 'text': 'hi'})
        self.assertEqual(c.sent[2]['bytes'], b'\x00\x01')
        # the handler's close code and reason reach the server
        self.assertEqual(c.sent[3], {'type': 'websocket.close',
                                     'code': 4001, 'reason': 'as asked'})

    def test_subprotocol_negotiation(self):
        c = talk(self.app, Client(text('bye')), ws_scope(subprotocols=['a',
                                                                       'b']))
        self.assertEqual(c.sent[0]['subprotocol'], 'b')  # our preference
        self.assertEqual(self.log[0], 'b')
        c = talk(self.app, Client(text('bye')), ws_scope(subprotocols=['z']))
        self.assertNotIn('subprotocol', c.sent[0])

    def test_client_close_code_ends_receive(self):
        talk(self.app, Client(text('x'), {'type': 'websocket.disconnect',
                                          'code': 4005, 'reason': 'done'}))
        gone = self.log[-1]
        self.assertEqual(gone[:3], ('gone', 4005, 'done'))

    def test_handler_that_returns_closes_with_1000(self):
        c = talk(self.app, Client(), ws_scope('/quiet'))
        self.assertEqual(c.sent[-1], {'type': 'websocket.close',
                                      'code': 1000})

    def test_refused_before_accept(self):
        c = talk(self.app, Client(), ws_scope('/private'))
        self.assertEqual(c.sent, [{'type': 'websocket.close',
                                   'code': 1008}])
        ext = {'websocket.http.response': {}}
        c = talk(self.app, Client(), ws_scope('/private', extensions=ext))
        self.assertEqual(c.sent[0]['type'], 'websocket.http.response.start')
        self.assertEqual(c.sent[0]['status'], 401)
        self.assertEqual(c.sent[1], {'type': 'websocket.http.response.body',
                                     'body': b'no'})
        c = talk(self.app, Client(), ws_scope('/missing', extensions=ext))
        self.assertEqual(c.sent[0]['status'], 404)


@unittest.skipIf(IS_MICROPYTHON, 'ASGI runs on CPython only')
class AsgiWithWebSocketTest(unittest.TestCase):
    """with_websocket handlers, unchanged, over ASGI."""

    def setUp(self):
        if with_websocket is None:
            raise unittest.SkipTest('microdot.websocket is not there yet')
        self.app = app = Microdot()
        self.log = log = []

        @app.route('/ws')
        @with_websocket
        async def echo(request, ws):
            try:
                while True:
                    msg = await ws.receive()
                    if msg == 'exit':
                        break
                    await ws.send(msg)
            except Exception as exc:
                log.append(type(exc).__name__)
                raise

    def test_echo(self):
        c = talk(self.app, Client(text('one'), {'type': 'websocket.receive',
                                                'bytes': b'two'},
                                  text('exit')))
        self.assertEqual(c.types()[0], 'websocket.accept')
        self.assertEqual([m.get('text', m.get('bytes')) for m in c.sent
                          if m['type'] == 'websocket.send'],
                         ['one', b'two'])
        self.assertEqual(c.types()[-1], 'websocket.close')

    def test_disconnect_ends_the_handler(self):
        talk(self.app, Client(text('one'), {'type': 'websocket.disconnect',
                                            'code': 1001}))
        self.assertEqual(len(self.log), 1)


if __name__ == '__main__':
    unittest.main()


@unittest.skipIf(IS_MICROPYTHON, 'ASGI runs on CPython only')
class AsgiWithWebSocketErrorsTest(unittest.TestCase):
    """with_websocket over ASGI closes as on our own server: 1011 when the
    handler raises."""

    def test_handler_error_closes_with_1011(self):
        from microdot.websocket import with_websocket
        app = Microdot()

        @app.route('/boom')
        @with_websocket
        async def boom(request, ws):
            await ws.receive()
            raise ValueError('handler bug')

        c = talk(app, Client(text('x')), ws_scope('/boom'))
        self.assertEqual(c.sent[-1]['type'], 'websocket.close')
        self.assertEqual(c.sent[-1]['code'], 1011)
