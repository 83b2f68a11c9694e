"""Real clients against the CPython and the MicroPython servers (CPython
only): the `websockets` library (text, binary, a 1 MB message, ping, close
codes, subprotocols) and httpx streaming an SSE response."""
import asyncio
import sys
import unittest

try:
    import websockets
    from websockets.asyncio.client import connect
except ImportError:
    websockets = None
try:
    import httpx
except ImportError:
    httpx = None

CPYTHON = sys.implementation.name == 'cpython'


class _Clients:
    runtime = None

    @classmethod
    def setUpClass(cls):
        if not CPYTHON:
            raise unittest.SkipTest('real clients run on CPython')
        from realtime_support import serve_module, TESTS
        cls.server = serve_module(cls.runtime, 'realtime_app', TESTS)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def talk(self, go):
        if websockets is None:
            self.skipTest('websockets is not installed')
        asyncio.run(asyncio.wait_for(go(), 30))

    def test_text_and_binary(self):
        async def go():
            async with connect(self.server.url('/echo', 'ws')) as ws:
                await ws.send('héllo ✓')
                self.assertEqual(await ws.recv(), 'héllo ✓')
                await ws.send(b'\x00\x01\xff')
                self.assertEqual(await ws.recv(), b'\x00\x01\xff')
                await ws.send(['frag', 'mented'])  # a fragmented message
                self.assertEqual(await ws.recv(), 'fragmented')
        self.talk(go)

    def test_one_megabyte_message(self):
        data = bytes(range(256)) * 4096

        async def go():
            async with connect(self.server.url('/echo', 'ws'),
                               max_size=None) as ws:
                await ws.send(data)
                self.assertEqual(await ws.recv(), data)
        self.talk(go)

    def test_ping(self):
        async def go():
            async with connect(self.server.url('/echo', 'ws')) as ws:
                waiter = await ws.ping(b'are you there')
                latency = await asyncio.wait_for(waiter, 5)
                self.assertGreaterEqual(latency, 0)
        self.talk(go)

    def test_server_close_code(self):
        async def go():
            async with connect(self.server.url('/close/4321', 'ws')) as ws:
                await ws.send('now')
                self.assertEqual(await ws.recv(), 'closing now')
                with self.assertRaises(websockets.ConnectionClosed):
                    await ws.recv()
                self.assertEqual(ws.close_code, 4321)
                self.assertEqual(ws.close_reason, 'as asked')
        self.talk(go)

    def test_client_close_code_is_echoed(self):
        async def go():
            ws = await connect(self.server.url('/echo', 'ws'))
            await ws.close(3100, 'done here')
            self.assertEqual(ws.protocol.close_rcvd.code, 3100)
            self.assertEqual(ws.protocol.close_rcvd.reason, "")
        self.talk(go)

    def test_subprotocol(self):
        async def go():
            async with connect(self.server.url('/echo', 'ws'),
                               subprotocols=['chat.v1', 'chat.v2']) as ws:
                self.assertEqual(ws.subprotocol, 'chat.v2')
            async with connect(self.server.url('/echo', 'ws'),
                               subprotocols=['chat.v1']) as ws:
                self.assertEqual(ws.subprotocol, 'chat.v1')
        self.talk(go)

    def test_sse_with_httpx(self):
        if httpx is None:
            self.skipTest('httpx is not installed')
        lines = []
        with httpx.stream('GET', self.server.url('/sse/3'), timeout=10) as r:
            self.assertEqual(r.status_code, 200)
            self.assertEqual(r.headers['content-type'], 'text/event-stream')
            for line in r.iter_lines():
                lines.append(line)
        self.assertEqual(lines, [
            'event: tick', 'id: 0', 'data: {"i": 0}', '',
            'event: tick', 'id: 1', 'data: {"i": 1}', '',
            'event: tick', 'id: 2', 'data: {"i": 2}', '',
            'data: multi', 'data: line', ''])


@unittest.skipUnless(sys.implementation.name == 'cpython',
                     'real clients and browsers run on CPython')
class CPythonServerTest(_Clients, unittest.TestCase):
    runtime = 'cpython'


@unittest.skipUnless(sys.implementation.name == 'cpython',
                     'real clients and browsers run on CPython')
class MicroPythonServerTest(_Clients, unittest.TestCase):
    runtime = 'micropython'


if __name__ == '__main__':
    unittest.main()
