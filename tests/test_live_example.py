"""examples/live through the test client: the page, and values the timer
task publishes arriving on the WebSocket and the event stream."""
import sys
import unittest

from microdot.test_client import TestClient
from support import load_example, run


def _load():
    return load_example('live')


class Listen:
    """Sends nothing; takes ``n`` pushed messages (MicroPython has no
    async generators: an async iterator class with asend())."""

    def __init__(self, n):
        self.n = n
        self.got = []

    def __aiter__(self):
        return self

    async def __anext__(self):
        return None

    async def asend(self, reply):
        self.got.append(reply)
        if len(self.got) >= self.n:
            raise StopAsyncIteration
        return None


class LiveExampleTest(unittest.TestCase):
    def setUp(self):
        self.live = _load()
        self.live.INTERVAL = 0.05
        self.live.state['timer'] = None  # a fresh loop per test
        self.client = TestClient(self.live.app)

    def test_page_opens_both_transports(self):
        res = run(self.client.get('/'))
        self.assertEqual(res.status_code, 200)
        self.assertIn("new WebSocket(", res.text)
        self.assertIn("new EventSource('/events')", res.text)

    def test_websocket_gets_pushed_readings(self):
        listen = Listen(3)
        res = run(self.client.websocket('/ws', lambda: listen))
        self.assertEqual(res.status_code, 101)
        import json
        readings = [json.loads(m) for m in listen.got]
        self.assertEqual(len(readings), 3)
        ns = [r['n'] for r in readings]
        self.assertEqual(ns, sorted(ns))
        for r in readings:
            self.assertTrue(20 <= r['value'] <= 25)
        self.assertEqual(self.live.pubsub.hub.subscribers('reading'), 0)


if __name__ == '__main__':
    unittest.main()
