"""The real server over sockets.

Timeouts and the server life cycle (shutdown, run, debug, TLS).
"""
import asyncio
import errno
import sys
import unittest

from microdot import Microdot
from server_app import ServerTestCase, make_app
from support import IS_MICROPYTHON, TIMEOUT, ConnectionClosed, LiveServer, \
    RawClient, build_request, elapsed, free_port, make_temp_dir, now, \
    remove_tree, run


class TimeoutTest(ServerTestCase):
    base_port = 24000
    idle_timeout = 0.4
    request_timeout = 0.5

    def test_defaults(self):
        app = Microdot()
        self.assertEqual(app.idle_timeout, 30)
        self.assertEqual(app.request_timeout, 10)

    def test_idle_connection_closed(self):
        async def go(srv):
            c = await srv.client()
            await c.send(build_request('GET', '/hello/x'))
            self.assertEqual((await c.read_response()).body, b'hello x')
            start = now()
            self.assertFalse(await c.is_closed(0.1))
            self.assertTrue(await c.is_closed(2))
            self.assertLess(elapsed(start), 1.8)
            await self.assert_serving(srv)

        self.serve(go)

    def test_request_within_idle_timeout_is_served(self):
        async def go(srv):
            c = await srv.client()
            for name in ['a', 'b', 'c']:
                await c.send(build_request('GET', '/hello/' + name))
                self.assertEqual((await c.read_response()).body,
                                 b'hello ' + name.encode())
                await asyncio.sleep(0.2)

        self.serve(go)

    def test_silent_new_connection_closed(self):
        async def go(srv):
            c = await srv.client()
            self.assertTrue(await c.is_closed(2))
            await self.assert_serving(srv)

        self.serve(go)

    def test_stalled_request_dropped(self):
        partials = [
            b'GET /hello/x HT',
            b'GET /hello/x HTTP/1.1\r\nHost: x\r\n',
            b'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n'
            b'only ten..',
        ]

        async def go(srv):
            for data in partials:
                c = await srv.client()
                await c.send(data)
                start = now()
                self.assertTrue(await c.is_closed(2), data)
                self.assertLess(elapsed(start), 1.8)
                # a 408 before closing is fine; anything else is not
                if c.buf:
                    self.assertTrue(c.buf.startswith(b'HTTP/1.1 408') or
                                    c.buf.startswith(b'HTTP/1.0 408'), c.buf)
            await self.assert_serving(srv)

        self.serve(go)

    def test_slow_drip_request_dropped(self):
        async def go(srv):
            c = await srv.client()
            await c.send(b'GET / HTTP/1.1\r\n')
            start = now()
            closed = False
            i = 0
            while elapsed(start) < 3:
                try:
                    await c.send(b'X-Drip-%d: y\r\n' % i)
                except OSError:
                    closed = True
                    break
                i += 1
                if await c.is_closed(0.1):
                    closed = True
                    break
            self.assertTrue(closed, 'server kept a dripping client')
            self.assertLess(elapsed(start), 2)
            await self.assert_serving(srv)

        self.serve(go)

    def test_client_not_reading_is_dropped(self):
        async def go(srv):
            state = srv.app.test_state
            c = await srv.client()
            await c.send(build_request('GET', '/endless'))
            # never read: socket buffers fill up and the server's write
            # blocks; it must give up after request_timeout
            await asyncio.sleep(1.5)
            self.assertGreater(state['chunks'], 0)
            drained = await c.drain_until_closed(timeout=3)
            self.assertIsNotNone(drained, 'server kept writing to a client '
                                 'that did not read')
            self.assertLess(state['chunks'], 16384)
            await self.assert_serving(srv)

        self.serve(go)

    def test_slow_handler_is_not_cut_off(self):
        async def go(srv):
            c = await srv.client()
            await c.send(build_request('GET', '/slow?t=0.8'))
            res = await c.read_response()
            self.assertEqual(res.body, b'slow done')

        self.serve(go)


class SlowPieces:
    """Yields n pieces with a pause before each one after the first."""

    def __init__(self, n, pause):
        self.n = n
        self.pause = pause
        self.i = 0

    def __aiter__(self):
        return self

    async def __anext__(self):
        if self.i >= self.n:
            raise StopAsyncIteration
        if self.i:
            await asyncio.sleep(self.pause)
        self.i += 1
        return 'piece %d;' % self.i


class BodyAndStreamTimeoutTest(ServerTestCase):
    base_port = 24500
    idle_timeout = 6
    request_timeout = 0.5

    def test_stalled_body_is_cut_by_the_request_timeout(self):
        # the whole head arrives in one read: the body must still be under
        # request_timeout, not idle_timeout
        from microdot import Request
        Request.max_body_length = 16
        partials = [
            b'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n'
            b'\r\nabc',
            b'POST /echo HTTP/1.1\r\nHost: x\r\n'
            b'Transfer-Encoding: chunked\r\n\r\n5\r\nab',
            # over max_body_length: read by the handler from request.stream
            b'POST /stream-in HTTP/1.1\r\nHost: x\r\nContent-Length: 100'
            b'\r\n\r\n' + b'x' * 40,
        ]

        async def go(srv):
            for data in partials:
                c = await srv.client()
                await c.send(data)
                start = now()
                self.assertTrue(await c.is_closed(4), data)
                self.assertLess(elapsed(start), 3, data)
                await c.close()
            await self.assert_serving(srv)

        self.serve(go)

    def test_pauses_between_streamed_pieces_are_not_timed(self):
        app = make_app()

        @app.get('/slow-pieces')
        async def slow_pieces(req):
            return SlowPieces(3, 0.8)  # pauses longer than request_timeout

        async def go(srv):
            res = await srv.request('GET', '/slow-pieces')
            self.assertEqual(res.status, 200)
            self.assertEqual(res.body, b'piece 1;piece 2;piece 3;')

        self.serve(go, app)


class LifecycleTest(ServerTestCase):
    base_port = 25000

    def test_shutdown_from_route(self):
        app = make_app()

        async def main():
            srv = await LiveServer(app, self.base_port).start()
            res = await srv.request('GET', '/shutdown')
            self.assertEqual(res.body, b'bye')
            await asyncio.wait_for(srv.task, 3)
            with self.assertRaises(OSError):
                c = await RawClient.connect(srv.port)
                # some stacks accept briefly: then it must not answer
                await c.send(build_request('GET', '/'))
                try:
                    await c.read_response(timeout=0.5)
                except (ConnectionClosed, asyncio.TimeoutError):
                    raise OSError('not served')

        run(main())

    def test_shutdown_lets_requests_in_progress_finish(self):
        app = make_app()

        async def main():
            srv = await LiveServer(app, self.base_port).start()
            c = await RawClient.connect(srv.port)
            try:
                await c.send(build_request('GET', '/slow?t=0.5'))
                await asyncio.sleep(0.1)
                app.shutdown()
                res = await c.read_response()
                self.assertEqual(res.body, b'slow done')
                await asyncio.wait_for(srv.task, 3)
            finally:
                await c.close()

        run(main())

    def test_shutdown_with_idle_keep_alive_connection(self):
        app = make_app()

        async def main():
            srv = await LiveServer(app, self.base_port).start()
            c = await RawClient.connect(srv.port)
            await c.send(build_request('GET', '/hello/k'))
            self.assertEqual((await c.read_response()).body, b'hello k')
            start = now()
            app.shutdown()
            try:
                await asyncio.wait_for(srv.task, 3)
            except asyncio.TimeoutError:
                self.fail('start_server did not end while a kept-alive '
                          'connection was idle')
            finally:
                await c.close()
            self.assertLess(elapsed(start), 3)

        run(main())

    def test_two_apps_at_once(self):
        app1 = make_app()
        app2 = make_app()

        @app2.get('/who')
        async def who(req):
            return 'app2'

        async def main():
            s1 = await LiveServer(app1, self.base_port).start()
            s2 = await LiveServer(app2, self.base_port + 500).start()
            try:
                self.assertEqual((await s1.request('GET', '/who')).status, 404)
                self.assertEqual((await s2.request('GET', '/who')).body,
                                 b'app2')
                await s1.stop()
                self.assertEqual((await s2.request('GET', '/hello/2')).body,
                                 b'hello 2')
            finally:
                await s1.stop()
                await s2.stop()

        run(main())

    def test_restart_after_shutdown(self):
        app = make_app()

        async def main():
            for i in range(2):
                srv = await LiveServer(app, self.base_port).start()
                try:
                    res = await srv.request('GET', '/hello/%d' % i)
                    self.assertEqual(res.body, ('hello %d' % i).encode())
                finally:
                    await srv.stop()

        run(main())

    def test_shutdown_when_not_running(self):
        make_app().shutdown()  # nothing to stop: no error

    def test_many_connections_at_once(self):
        async def one(srv, i):
            res = await srv.request('GET', '/hello/%d' % i)
            return res.body

        async def go(srv):
            bodies = await asyncio.gather(*[one(srv, i) for i in range(20)])
            self.assertEqual(list(bodies),
                             [('hello %d' % i).encode() for i in range(20)])

        self.serve(go)

    @unittest.skipIf(IS_MICROPYTHON, 'sync handlers run inline on '
                     'MicroPython (documented)')
    def test_blocking_sync_handler_does_not_block_others(self):
        import time
        app = make_app()

        @app.get('/block')
        def block(req):
            time.sleep(0.6)
            return 'unblocked'

        async def go(srv):
            slow = asyncio.create_task(srv.request('GET', '/block'))
            await asyncio.sleep(0.1)
            start = now()
            res = await srv.request('GET', '/hello/fast')
            self.assertEqual(res.body, b'hello fast')
            self.assertLess(elapsed(start), 0.4)
            self.assertEqual((await slow).body, b'unblocked')

        self.serve(go, app)

    def test_start_server_on_busy_port_raises(self):
        import socket
        busy = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # SO_REUSEADDR like the server's own socket: an earlier test's
        # connections may still sit in TIME_WAIT on this port, and only a
        # listening socket (not TIME_WAIT) must make start_server fail.
        busy.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        port = free_port(self.base_port)
        busy.bind(socket.getaddrinfo('127.0.0.1', port)[0][-1])
        busy.listen(1)

        async def main():
            try:
                await asyncio.wait_for(
                    make_app().start_server(host='127.0.0.1', port=port), 3)
            except asyncio.TimeoutError:
                return 'hung'
            except OSError as exc:
                return exc.errno
            return 'returned'

        try:
            self.assertEqual(run(main()), errno.EADDRINUSE)
        finally:
            busy.close()

    def test_app_run_blocks_until_shutdown(self):
        app = make_app()
        port = free_port(self.base_port)
        results = {}

        async def client():
            try:
                c = None
                start = now()
                while elapsed(start) < TIMEOUT:
                    try:
                        c = await RawClient.connect(port)
                        break
                    except OSError:
                        await asyncio.sleep(0.05)
                await c.send(build_request('GET', '/hello/run'))
                results['body'] = (await c.read_response()).body
                await c.close()
            finally:
                app.shutdown()

        if IS_MICROPYTHON:
            # app.run() drives the (singleton) loop: the client task rides it
            asyncio.new_event_loop()
            asyncio.create_task(client())
            app.run(host='127.0.0.1', port=port)
        else:
            import threading
            t = threading.Thread(target=app.run,
                                 kwargs={'host': '127.0.0.1', 'port': port})
            t.daemon = True
            t.start()
            asyncio.run(client())
            t.join(5)
            self.assertFalse(t.is_alive(), 'app.run() did not return')
        self.assertEqual(results.get('body'), b'hello run')

    @unittest.skipIf(IS_MICROPYTHON, 'print() output can not be captured '
                     'on MicroPython')
    def test_debug_logs_one_line_per_request(self):
        import io
        app = make_app()
        out = io.StringIO()
        saved = sys.stdout, sys.stderr

        async def main():
            srv = await LiveServer(app, self.base_port, debug=True).start()
            try:
                await srv.request('GET', '/hello/dbg')
                await srv.request('POST', '/echo', body=b'x')
                await srv.request('GET', '/nothing-here')
            finally:
                await srv.stop()

        sys.stdout = sys.stderr = out
        try:
            run(main())
        finally:
            sys.stdout, sys.stderr = saved
        lines = out.getvalue().splitlines()
        self.assertEqual(len([x for x in lines if '/hello/dbg' in x]), 1,
                         lines)
        self.assertEqual(len([x for x in lines
                              if 'POST' in x and '/echo' in x]), 1, lines)
        self.assertEqual(len([x for x in lines if '/nothing-here' in x]), 1,
                         lines)

    def test_no_debug_output_by_default(self):
        if IS_MICROPYTHON:
            self.skipTest('print() output can not be captured on MicroPython')
        import io
        app = make_app()
        out = io.StringIO()
        saved = sys.stdout

        async def main():
            srv = await LiveServer(app, self.base_port).start()
            try:
                await srv.request('GET', '/hello/quiet')
            finally:
                await srv.stop()

        sys.stdout = out
        try:
            run(main())
        finally:
            sys.stdout = saved
        self.assertNotIn('/hello/quiet', out.getvalue())

    @unittest.skipIf(IS_MICROPYTHON, 'TLS test needs PEM certificates made '
                     'by openssl (CPython only)')
    def test_tls(self):
        import shutil
        import ssl
        import subprocess
        if not shutil.which('openssl'):
            self.skipTest('openssl command not found')
        d = make_temp_dir('mdtls')
        try:
            subprocess.run(
                ['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt',
                 'ec_paramgen_curve:prime256v1', '-nodes',
                 '-keyout', d + '/key.pem', '-out', d + '/cert.pem',
                 '-days', '1', '-subj', '/CN=localhost'],
                check=True, capture_output=True)
            sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            sctx.load_cert_chain(d + '/cert.pem', d + '/key.pem')
        finally:
            remove_tree(d)
        cctx = ssl.create_default_context()
        cctx.check_hostname = False
        cctx.verify_mode = ssl.CERT_NONE
        app = make_app()

        async def main():
            srv = await LiveServer(app, self.base_port, ssl=sctx).start()
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection('127.0.0.1', srv.port, ssl=cctx),
                    TIMEOUT)
                c = RawClient(reader, writer)
                srv.clients.append(c)
                await c.send(build_request('GET', '/client'))
                res = await c.read_response()
                self.assertEqual(res.status, 200)
                self.assertIn(b'"https"', res.body)
                await c.send(build_request('GET', '/hello/tls'))
                self.assertEqual((await c.read_response()).body, b'hello tls')
            finally:
                await srv.stop()

        run(main())


if __name__ == '__main__':
    unittest.main()
