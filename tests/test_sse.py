"""Server-Sent Events: the wire format of every send() option, multi-line
data, keepalive comments, the test client's res.events, and what happens
when the client goes away or the event function fails."""
import asyncio
import unittest

from microdot import Microdot
from microdot.sse import with_sse, sse_response, format_event
from support import run, make_client, LiveServer, \
    build_request, HAS_SOCKETS, IS_MICROPYTHON


class FormatTest(unittest.TestCase):
    def test_plain_values(self):
        self.assertEqual(format_event('hi'), b'data: hi\n\n')
        self.assertEqual(format_event(b'\x01raw'), b'data: \x01raw\n\n')
        self.assertEqual(format_event(42), b'data: 42\n\n')
        self.assertEqual(format_event(1.5), b'data: 1.5\n\n')

    def test_json(self):
        self.assertEqual(format_event({'a': 1}), b'data: {"a": 1}\n\n')
        self.assertEqual(format_event([1, 2]), b'data: [1, 2]\n\n')

    def test_fields(self):
        self.assertEqual(format_event('x', event='tick', event_id=7),
                         b'event: tick\nid: 7\ndata: x\n\n')
        self.assertEqual(format_event('x', retry=2.5),
                         b'retry: 2500\ndata: x\n\n')
        self.assertEqual(format_event(None, retry=1), b'retry: 1000\n\n')

    def test_multi_line_data_can_not_break_the_stream(self):
        self.assertEqual(format_event('a\nb\r\nc\rd'),
                         b'data: a\ndata: b\ndata: c\ndata: d\n\n')
        self.assertEqual(format_event('end\n\nevent: fake'),
                         b'data: end\ndata: \ndata: event: fake\n\n')
        self.assertEqual(format_event('x', event='a\nb', event_id='1\r2'),
                         b'event: a b\nid: 1 2\ndata: x\n\n')

    def test_comment(self):
        self.assertEqual(format_event('ping', comment=True), b': ping\n\n')
        self.assertEqual(format_event('a\nb', comment=True), b': a\n: b\n\n')


def make_app():
    app = Microdot()
    app.log = []

    @app.route('/events')
    @with_sse
    async def events(request, sse):
        await sse.send({'counter': 1})
        await sse.send('two', event='named', event_id='2')
        await sse.send('three\nlines\nhere', retry=3)
        await sse.send('beat', comment=True)

    @app.route('/args/<int:n>')
    @with_sse
    async def args(request, sse, n):
        for i in range(n):
            await sse.send(i)

    @app.route('/manual')
    async def manual(request):
        async def gen(request, sse, word):
            await sse.send(word)
        return sse_response(request, gen, 'by hand')

    @app.route('/fails')
    @with_sse
    async def fails(request, sse):
        await sse.send('before')
        app.log.append('failing')
        raise ValueError('event function bug (expected in this test)')

    return app


class EndToEndTest(unittest.TestCase):
    def test_events_through_the_test_client(self):
        res = run(make_client(make_app()).get('/events'))
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.headers['Content-Type'], 'text/event-stream')
        self.assertEqual(res.headers['Cache-Control'], 'no-cache')
        self.assertEqual(res.body, b'data: {"counter": 1}\n\n'
                         b'event: named\nid: 2\ndata: two\n\n'
                         b'retry: 3000\ndata: three\ndata: lines\n'
                         b'data: here\n\n: beat\n\n')
        self.assertEqual(res.events, [
            {'data': b'{"counter": 1}', 'data_json': {'counter': 1},
             'event': None, 'event_id': None, 'retry': None},
            {'data': b'two', 'data_json': None, 'event': 'named',
             'event_id': '2', 'retry': None},
            {'data': b'three\nlines\nhere', 'data_json': None, 'event': None,
             'event_id': None, 'retry': 3000}])

    def test_url_arguments_and_sse_response(self):
        client = make_client(make_app())
        res = run(client.get('/args/3'))
        self.assertEqual([e['data_json'] for e in res.events], [0, 1, 2])
        res = run(client.get('/manual'))
        self.assertEqual(res.events[0]['data'], b'by hand')

    def test_not_an_sse_response_has_no_events(self):
        app = make_app()

        @app.route('/plain')
        async def plain(request):
            return 'data: x\n\n'
        self.assertIsNone(run(make_client(app).get('/plain')).events)

    def test_event_function_error_ends_the_stream(self):
        app = make_app()
        res = run(make_client(app).get('/fails'))
        self.assertEqual(app.log, ['failing'])
        self.assertEqual(res.body, b'data: before\n\n')

    def test_endpoint_name_is_kept(self):
        names = [getattr(r[2] if isinstance(r, tuple) else r.handler,
                         '__name__', None) for r in make_app().url_map]
        self.assertIn('events', names)


class _NoSocket:
    sock = None  # a request behind ASGI or WSGI


class QueueModeTest(unittest.TestCase):
    """Without a socket the event function runs as a task and the body
    iterator hands its events over one at a time."""

    def test_events_in_order(self):
        async def f(request, sse, n):
            for i in range(n):
                await sse.send(i, event_id=i)

        async def go():
            out = []
            async for piece in sse_response(_NoSocket(), f, 3).body:
                out.append(piece)
            return out
        self.assertEqual(run(go()), [b'id: 0\ndata: 0\n\n',
                                     b'id: 1\ndata: 1\n\n',
                                     b'id: 2\ndata: 2\n\n'])

    def test_keepalive_and_close_cancels(self):
        state = []

        async def f(request, sse):
            await sse.send('first')
            try:
                await asyncio.sleep(60)
            except asyncio.CancelledError:
                state.append('cancelled')
                raise

        async def go():
            body = with_sse(f, keepalive=0.05)
            res = await body(_NoSocket())
            it = res.body.__aiter__()
            got = [await it.__anext__(), await it.__anext__(),
                   await it.__anext__()]
            await it.aclose()
            await asyncio.sleep(0.05)
            return got
        self.assertEqual(run(go()), [b'data: first\n\n', b':\n\n', b':\n\n'])
        self.assertEqual(state, ['cancelled'])


def live_app(state):
    app = Microdot()

    @app.route('/forever')
    @with_sse(keepalive=0.1)
    async def forever(request, sse):
        state['started'] = True
        try:
            await sse.send('hello')
            while True:
                await asyncio.sleep(1)
        except asyncio.CancelledError:
            state['cancelled'] = True
            raise

    @app.route('/busy')
    @with_sse
    async def busy(request, sse):
        try:
            i = 0
            while True:
                await sse.send('x' * 100 + str(i))
                i += 1
        except asyncio.CancelledError:
            state['busy_cancelled'] = True
            raise

    @app.route('/held')
    @with_sse
    async def held(request, sse):
        await sse.send('open')
        state['release'] = asyncio.Event()
        await state['release'].wait()

    @app.after_request
    def remember(request, response):
        if request.path == '/held':
            import weakref
            state['response'] = weakref.ref(response)
            state['body_iter_is_body'] = response.body_iter() is response.body

    return app


@unittest.skipIf(not HAS_SOCKETS, 'this port has no sockets')
class LiveTest(unittest.TestCase):
    def serve(self, go):
        state = {}

        async def main():
            srv = await LiveServer(live_app(state), 23500).start()
            try:
                await go(srv, state)
            finally:
                await srv.stop()
        run(main())
        return state

    def test_keepalive_comments_and_cancel_on_disconnect(self):
        async def go(srv, state):
            c = await srv.client()
            await c.send(build_request('GET', '/forever'))
            buf = b''
            for _ in range(100):
                if buf.count(b':\n\n') >= 2:
                    break
                data = await asyncio.wait_for(c.reader.read(1024), 3)
                if not data:
                    break
                buf += data
            self.assertIn(b'text/event-stream', buf)
            self.assertIn(b'data: hello\n\n', buf)
            self.assertGreaterEqual(buf.count(b':\n\n'), 2)
            await c.close()
            for _ in range(100):  # the next keepalive write fails
                if state.get('cancelled'):
                    break
                await asyncio.sleep(0.05)
        state = self.serve(go)
        self.assertTrue(state.get('cancelled'))

    @unittest.skipIf(IS_MICROPYTHON, 'needs weakref (CPython)')
    def test_open_stream_holds_no_response(self):
        # while an event stream is open, the server holds neither the
        # Response nor a wrapper around its body (on a board: ~700 bytes
        # per open stream)
        import gc

        async def go(srv, state):
            c = await srv.client()
            await c.send(build_request('GET', '/held'))
            buf = b''
            while b'data: open' not in buf:
                buf += await asyncio.wait_for(c.reader.read(1024), 3)
            gc.collect()
            self.assertTrue(state['body_iter_is_body'])
            self.assertIsNone(state['response']())
            state['release'].set()
            while not buf.endswith(b'0\r\n\r\n'):  # the chunked end
                buf += await asyncio.wait_for(c.reader.read(1024), 3)
            await c.close()
        self.serve(go)

    def test_client_that_leaves_mid_stream(self):
        async def go(srv, state):
            c = await srv.client()
            await c.send(build_request('GET', '/busy'))
            data = await asyncio.wait_for(c.reader.read(512), 3)
            self.assertIn(b'200', data)
            await c.close()
            for _ in range(100):
                if state.get('busy_cancelled'):
                    break
                await asyncio.sleep(0.05)
        state = self.serve(go)
        self.assertTrue(state.get('busy_cancelled'))


if __name__ == '__main__':
    unittest.main()
