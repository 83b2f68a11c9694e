"""WebSocket over real sockets and through the test client: a client that
goes away ends receive() with WebSocketError and the handler's task ends;
server pings drop a client that stops answering; abort() frees a stalled
one; TestClient.websocket() talks to a handler."""
import asyncio
import unittest

from microdot import Microdot
from microdot.websocket import with_websocket, WebSocketError
from support import run, LiveServer, HAS_SOCKETS, make_client, \
    IS_MICROPYTHON
from ws_support import handshake, text, frame, sframe


def make_app(state):
    app = Microdot()

    @app.route('/echo')
    @with_websocket
    async def echo(request, ws):
        state['ws'] = ws
        try:
            while True:
                await ws.send(await ws.receive())
        except WebSocketError as exc:
            state['ended'] = exc.code
            raise

    @app.route('/ping')
    @with_websocket(ping_interval=0.2, ping_timeout=1)
    async def ping(request, ws):
        try:
            while True:
                await ws.receive()
        except WebSocketError as exc:
            state['ended'] = exc.code
            raise

    @app.route('/idle')
    @with_websocket
    async def idle(request, ws):
        state['ws'] = ws
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            state['ended'] = 'cancelled'
            raise

    return app


async def read_until(c, want, timeout=3):
    while want not in c.buf:
        try:
            if not await _fill(c, timeout):
                break
        except asyncio.TimeoutError:
            break
    return c.buf


async def _fill(c, timeout):
    data = await asyncio.wait_for(c.reader.read(1024), timeout)
    if not data:
        return False
    c.buf += data
    return True


async def wait_for_state(state, key, timeout=3):
    for _ in range(int(timeout / 0.02)):
        if key in state:
            return state[key]
        await asyncio.sleep(0.02)
    return None


@unittest.skipIf(not HAS_SOCKETS, 'this port has no sockets')
class LiveTest(unittest.TestCase):
    def serve(self, go):
        state = {}

        async def main():
            srv = await LiveServer(make_app(state), 24500).start()
            try:
                await go(srv, state)
            finally:
                await srv.stop()
        run(main())
        return state

    def test_echo_then_client_vanishes(self):
        async def go(srv, state):
            c = await srv.client()
            await c.send(handshake('/echo') + text('over the wire'))
            buf = await read_until(c, sframe(1, 'over the wire'))
            self.assertIn(b'101 Switching Protocols', buf)
            self.assertTrue(buf.endswith(sframe(1, 'over the wire')))
            await c.close()  # no close frame: the client just goes
            self.assertEqual(await wait_for_state(state, 'ended'), 1006)
        self.serve(go)

    def test_dead_client_is_dropped_after_missed_pings(self):
        async def go(srv, state):
            c = await srv.client()
            await c.send(handshake('/ping'))
            buf = await read_until(c, b'\x89\x00')  # the first ping
            self.assertIn(b'\x89\x00', buf)
            # never answered: dropped within interval + timeout
            self.assertEqual(await wait_for_state(state, 'ended', 3), 1006)
            self.assertTrue(await c.is_closed(2))
        self.serve(go)

    def test_client_answering_pings_stays(self):
        async def go(srv, state):
            c = await srv.client()
            await c.send(handshake('/ping'))
            for _ in range(3):
                c.buf = b''
                await read_until(c, b'\x89\x00')
                await c.send(frame(10, b''))
            self.assertNotIn('ended', state)
        self.serve(go)

    def test_abort_cancels_a_handler_that_does_not_read(self):
        async def go(srv, state):
            c = await srv.client()
            await c.send(handshake('/idle'))
            await read_until(c, b'\r\n\r\n')
            ws = await wait_for_state(state, 'ws')
            ws.abort()
            self.assertEqual(await wait_for_state(state, 'ended'),
                             'cancelled')
            self.assertTrue(await c.is_closed(2))
        self.serve(go)


@unittest.skipIf(not HAS_SOCKETS, 'this port has no sockets')
class ShutdownTest(unittest.TestCase):
    def test_server_shutdown_closes_with_1001(self):
        if not IS_MICROPYTHON:
            # asyncio's Server.wait_closed() waits for every open connection
            self.skipTest('CPython: shutdown waits for the open WebSocket')
        state = {}
        app = make_app(state)
        app.request_timeout = 0.3  # how long shutdown waits for handlers

        async def main():
            srv = await LiveServer(app, 25500).start()
            c = await srv.client()
            await c.send(handshake('/echo'))
            await read_until(c, b'\r\n\r\n')
            c.buf = b''
            srv.clients = []  # keep it open through the shutdown
            stop = asyncio.create_task(srv.stop())
            await read_until(c, sframe(8, b'\x03\xe9'), 3)
            buf = c.buf
            await c.close()
            await stop
            return buf
        self.assertEqual(run(main()), sframe(8, b'\x03\xe9'))


class Conversation:
    """An async iterator class (MicroPython has no async generators):
    sends 'hello', then b'bin', then 'bye' once it got the first two back."""

    def __init__(self):
        self.step = 0
        self.seen = []

    def __aiter__(self):
        return self

    async def __anext__(self):
        return 'hello'

    async def asend(self, reply):
        self.seen.append(reply)
        self.step += 1
        if self.step == 1:
            return b'bin'
        if self.step == 2:
            return 'bye'
        raise StopAsyncIteration


class TestClientWebSocketTest(unittest.TestCase):
    def test_conversation(self):
        state = {}
        conv = Conversation()
        res = run(make_client(make_app(state)).websocket('/echo',
                                                         lambda: conv))
        self.assertEqual(res.status_code, 101)
        self.assertEqual(res.messages, ['hello', b'bin', 'bye'])
        self.assertEqual(conv.seen, ['hello', b'bin', 'bye'])
        self.assertEqual(res.close_code, 1000)
        self.assertEqual(state['ended'], 1000)

    def test_failed_handshake(self):
        app = Microdot()

        @app.route('/plain')
        async def plain(request):
            return 'not a websocket'
        res = run(make_client(app).websocket('/plain', Conversation))
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.text, 'not a websocket')

    def test_server_closes_first(self):
        app = Microdot()

        @app.route('/once')
        @with_websocket
        async def once(request, ws):
            await ws.send('only ' + await ws.receive())
            await ws.close(4000)
        res = run(make_client(app).websocket('/once', Conversation))
        self.assertEqual(res.messages, ['only hello'])
        self.assertEqual(res.close_code, 4000)


if __name__ == '__main__':
    unittest.main()
