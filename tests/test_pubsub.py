"""Pub/sub: fan-out, bounded queues for slow clients (drop the oldest or
disconnect), unsubscribing, and subscriptions ending with the client, with
stand-in observers and with real WebSocket and SSE handlers."""
import asyncio
import unittest

from microdot import Microdot
from microdot.pubsub import Hub
from microdot.websocket import with_websocket
from microdot.sse import with_sse
from support import run
from ws_support import Pieces, Collector, handshake, close, sframe, \
    split_head
from microdot.server import serve_connection


class Observer:
    """Records what it is sent; ``stall()`` makes send() wait."""

    def __init__(self, is_sse=False):
        self.got = []
        self.gate = None
        self.aborted = False
        self.callbacks = []
        self.fail = False
        if is_sse:
            self.is_sse = True

    def stall(self):
        self.gate = asyncio.Event()

    async def send(self, data, event=None):
        if self.gate is not None:
            await self.gate.wait()
        if self.fail:
            raise OSError(32, 'gone')
        self.got.append(data if event is None else (event, data))

    def abort(self):
        self.aborted = True

    def on_close(self, f):
        self.callbacks.append(f)

    def closed_now(self):
        for f in self.callbacks:
            f(self)


async def settle():
    for _ in range(10):
        await asyncio.sleep(0)


class HubTest(unittest.TestCase):
    def test_fan_out_in_order(self):
        async def go():
            hub = Hub()
            a, b, c = Observer(), Observer(), Observer(is_sse=True)
            for o in (a, b, c):
                hub.subscribe(o, 'temp')
            hub.subscribe(a, 'other')
            for i in range(3):
                await hub.publish('temp', {'t': i})
            await hub.publish('other', 'x')
            await hub.publish('nobody', 'y')
            await settle()
            self.assertEqual(a.got, ['{"t": 0}', '{"t": 1}', '{"t": 2}', 'x'])
            self.assertEqual(b.got, ['{"t": 0}', '{"t": 1}', '{"t": 2}'])
            self.assertEqual(c.got, [('temp', {'t': 0}), ('temp', {'t': 1}),
                                     ('temp', {'t': 2})])
            self.assertEqual(hub.subscribers('temp'), 3)
        run(go())

    def test_subscribing_twice_sends_once(self):
        async def go():
            hub = Hub()
            a = Observer()
            hub.subscribe(a, 't')
            hub.subscribe(a, 't')
            await hub.publish('t', 'once')
            await settle()
            self.assertEqual(a.got, ['once'])
        run(go())

    def test_stalled_client_drops_oldest_and_does_not_block(self):
        async def go():
            hub = Hub(queue_size=3)
            slow, fast = Observer(), Observer()
            slow.stall()
            hub.subscribe(slow, 't')
            hub.subscribe(fast, 't')
            for i in range(10):
                await hub.publish('t', i)
            await settle()
            self.assertEqual(fast.got, list(range(10)))
            self.assertEqual(slow.got, [])
            slow.gate.set()
            await settle()
            # the first was already being sent; then the newest three
            self.assertEqual(slow.got, [0, 7, 8, 9])
            self.assertEqual(hub._subs[slow].dropped, 6)
        run(go())

    def test_disconnect_policy(self):
        async def go():
            hub = Hub(queue_size=2, policy='disconnect')
            slow, fast = Observer(), Observer()
            slow.stall()
            hub.subscribe(slow, 't')
            hub.subscribe(fast, 't')
            for i in range(5):
                await hub.publish('t', i)
            await settle()
            self.assertTrue(slow.aborted)
            self.assertEqual(hub.subscribers('t'), 1)
            self.assertEqual(fast.got, list(range(5)))
        run(go())

    def test_bad_policy(self):
        with self.assertRaises(ValueError):
            Hub(policy='block')

    def test_unsubscribe(self):
        async def go():
            hub = Hub()
            a = Observer()
            hub.subscribe(a, 't1')
            hub.subscribe(a, 't2')
            hub.unsubscribe(a, 't1')
            await hub.publish('t1', 'no')
            await hub.publish('t2', 'yes')
            hub.unsubscribe(a)
            await hub.publish('t2', 'gone')
            await settle()
            self.assertEqual(a.got, ['yes'])
            self.assertEqual(hub.topics, {})
            self.assertEqual(hub._subs, {})
        run(go())

    def test_client_that_closes_or_fails_is_dropped(self):
        async def go():
            hub = Hub()
            a, b = Observer(), Observer()
            hub.subscribe(a, 't')
            hub.subscribe(b, 't')
            a.closed_now()
            b.fail = True
            await hub.publish('t', 1)
            await settle()
            self.assertEqual(hub.subscribers('t'), 0)
            self.assertEqual(hub._subs, {})
        run(go())


def live_app(hub):
    app = Microdot()

    @app.route('/ws')
    @with_websocket
    async def ws(request, ws):
        hub.subscribe(ws, 'news')
        while True:
            await ws.receive()

    @app.route('/sse')
    @with_sse
    async def sse(request, sse):
        hub.subscribe(sse, 'news')
        await sse.send('subscribed')
        while True:
            await asyncio.sleep(3600)

    return app


class RealObserversTest(unittest.TestCase):
    def test_websocket_and_sse_subscribers(self):
        hub = Hub()
        app = live_app(hub)
        ws_client = Pieces(handshake('/ws'), hold=True)
        ws_out = Collector()
        sse_client = Pieces(b'GET /sse HTTP/1.1\r\nHost: x\r\n\r\n',
                            hold=True)
        sse_out = Collector()

        async def go():
            t1 = asyncio.create_task(serve_connection(app, ws_client,
                                                      ws_out))
            t2 = asyncio.create_task(serve_connection(app, sse_client,
                                                      sse_out))
            for _ in range(100):
                await asyncio.sleep(0.01)
                if hub.subscribers('news') == 2:
                    break
            await hub.publish('news', {'n': 1})
            await hub.publish('news', 'two\nlines')
            await settle()
            await asyncio.sleep(0.05)
            ws_client.feed(close(1000))
            ws_client.finish()
            await asyncio.wait_for(t1, 3)
            # the WebSocket's subscription ended with its connection
            self.assertEqual(hub.subscribers('news'), 1)
            t2.cancel()  # the SSE connection ends too
            try:
                await t2
            except asyncio.CancelledError:
                pass
            self.assertEqual(hub.subscribers('news'), 0)
        run(go())
        head, rest = split_head(ws_out.out)
        self.assertTrue(head.startswith('HTTP/1.1 101'))
        self.assertEqual(rest, sframe(1, '{"n": 1}') + sframe(1, 'two\nlines')
                         + sframe(8, b'\x03\xe8'))
        body = split_head(sse_out.out)[1]
        for piece in (b'data: subscribed\n\n',
                      b'event: news\ndata: {"n": 1}\n\n',
                      b'event: news\ndata: two\ndata: lines\n\n'):
            self.assertIn(piece, body)


if __name__ == '__main__':
    unittest.main()
