"""WebSocket control frames and the closing handshake (RFC 6455 sections
5.5, 7 and 4.2; Autobahn case groups 2, 3, 4, 5 and 7): pings, reserved
bits and opcodes, unmasked frames, close codes, frames after a close, and
how a handler's end, error or lost client is answered. Exact bytes.
"""
import unittest

from microdot import Microdot
from microdot.websocket import with_websocket, WebSocketError
from support import run
from ws_support import run_ws, text, frame, close, sframe, sclose, \
    serve, handshake


def recording_app():
    """Echoes messages; records what ended the handler."""
    app = Microdot()
    app.got = []
    app.ended = []

    @app.route('/ws')
    @with_websocket
    async def ws(request, ws):
        try:
            while True:
                msg = await ws.receive()
                app.got.append(msg)
                await ws.send(msg)
        except WebSocketError as exc:
            app.ended.append(exc.code)
            raise

    return app


class PingTest(unittest.TestCase):
    def test_ping_answered_with_same_payload(self):
        for payload in (b'', b'hello', bytes(range(125))):
            app = recording_app()
            out = run_ws(app, frame(9, payload) + close(1000))
            self.assertEqual(out, sframe(10, payload) + sclose(1000))

    def test_ping_in_pieces(self):
        out = run_ws(recording_app(), frame(9, b'x' * 125) + close(1000),
                     size=1)
        self.assertEqual(out, sframe(10, b'x' * 125) + sclose(1000))

    def test_control_frame_over_125_bytes_fails(self):
        for opcode in (8, 9, 10):
            app = recording_app()
            out = run_ws(app, frame(opcode, b'x' * 126) + text('after'))
            self.assertEqual(out, sclose(1002, 'bad control frame'))
            self.assertEqual(app.ended, [1002])

    def test_unsolicited_pong_is_ignored(self):
        app = recording_app()
        out = run_ws(app, frame(10, 'unasked') + text('hi') + close(1000))
        self.assertEqual(out, sframe(1, 'hi') + sclose(1000))


class ReservedTest(unittest.TestCase):
    def test_reserved_bits_fail(self):
        for rsv in range(1, 8):
            for f in (frame(1, 'x', rsv=rsv), frame(9, '', rsv=rsv)):
                app = recording_app()
                out = run_ws(app, text('ok') + f + text('never'))
                self.assertEqual(app.got, ['ok'])
                self.assertEqual(out, sframe(1, 'ok') +
                                 sclose(1002, 'reserved bits set'))

    def test_unknown_opcodes_fail(self):
        for opcode in (3, 4, 5, 6, 7, 11, 12, 13, 14, 15):
            app = recording_app()
            out = run_ws(app, frame(opcode, 'x') + text('never'))
            self.assertEqual(app.got, [])
            self.assertEqual(out, sclose(1002, 'unknown opcode'))

    def test_unmasked_client_frame_is_refused(self):
        app = recording_app()
        out = run_ws(app, frame(1, 'plain', mask=None))
        self.assertEqual(app.got, [])
        self.assertEqual(out, sclose(1002, 'unmasked client frame'))


class CloseTest(unittest.TestCase):
    def test_close_codes_are_echoed(self):
        for code in (1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011,
                     3000, 3999, 4000, 4999):
            app = recording_app()
            out = run_ws(app, close(code))
            self.assertEqual(out, sclose(code))
            self.assertEqual(app.ended, [code])

    def test_close_with_reason_echoes_the_code(self):
        app = recording_app()
        out = run_ws(app, close(1000, 'bye ✓'.encode()))
        self.assertEqual(out, sclose(1000))

    def test_empty_close_is_echoed_empty(self):
        app = recording_app()
        out = run_ws(app, close())
        self.assertEqual(out, sframe(8))
        self.assertEqual(app.ended, [1005])

    def test_invalid_close_codes(self):
        for code in (0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999,
                     5000, 65535):
            app = recording_app()
            out = run_ws(app, close(code))
            self.assertEqual(out, sclose(1002, 'invalid close code'))

    def test_one_byte_close_payload(self):
        out = run_ws(recording_app(), frame(8, b'\x03'))
        self.assertEqual(out, sclose(1002, 'bad close frame'))

    def test_close_reason_must_be_utf8(self):
        out = run_ws(recording_app(), close(1000, b'\xff\xfe'))
        self.assertEqual(out, sclose(1007, 'invalid close reason'))

    def test_frames_after_close_are_ignored(self):
        app = recording_app()
        out = run_ws(app, text('a') + close(1000) + text('b') + frame(9, 'p'))
        self.assertEqual(app.got, ['a'])
        self.assertEqual(out, sframe(1, 'a') + sclose(1000))

    def test_client_gone_without_close(self):
        app = recording_app()
        out = run_ws(app, text('a') + b'\x81\x85')  # cut inside a frame
        self.assertEqual(app.got, ['a'])
        self.assertEqual(app.ended, [1006])
        self.assertEqual(out, sframe(1, 'a'))


def ending_app():
    app = Microdot()
    app.errors = []

    @app.route('/return')
    @with_websocket
    async def returns(request, ws):
        await ws.send('bye')

    @app.route('/raise')
    @with_websocket
    async def raises(request, ws):
        await ws.receive()
        raise RuntimeError('handler bug (expected in this test)')

    @app.route('/close')
    @with_websocket
    async def closes(request, ws):
        await ws.close(4001, 'done')
        try:
            await ws.send('late')
        except WebSocketError as exc:
            app.errors.append(exc.code)
        try:
            await ws.receive()
        except WebSocketError as exc:
            app.errors.append(exc.code)

    return app


class HandlerEndTest(unittest.TestCase):
    def test_handler_return_closes_with_1000(self):
        out = run_ws(ending_app(), close(1000), path='/return')
        self.assertEqual(out, sframe(1, 'bye') + sclose(1000))

    def test_server_waits_for_the_clients_close(self):
        # data frames the client sends before its close are dropped
        out = run_ws(ending_app(), text('x') + frame(9, 'p') + close(1000),
                     path='/return', size=1)
        self.assertEqual(out, sframe(1, 'bye') + sclose(1000))

    def test_handler_exception_closes_with_1011(self):
        out = run_ws(ending_app(), text('go') + close(1011), path='/raise')
        self.assertEqual(out, sclose(1011))

    def test_close_with_code_and_reason(self):
        app = ending_app()
        out = run_ws(app, close(4001), path='/close')
        self.assertEqual(out, sclose(4001, 'done'))
        self.assertEqual(app.errors, [4001, 4001])


class HandshakeErrorTest(unittest.TestCase):
    def check(self, data, version_header=False):
        head, rest, writer = run(serve(recording_app(), data))
        self.assertTrue(head.startswith('HTTP/1.1 400 '), head)
        self.assertEqual('Sec-WebSocket-Version: 13' in head, version_header)
        return head, rest

    def test_missing_key(self):
        self.check(handshake(key=None))

    def test_malformed_key(self):
        self.check(handshake(key='not base64!'))
        self.check(handshake(key='c2hvcnQ='))  # 5 bytes, not 16

    def test_wrong_or_missing_version(self):
        self.check(handshake(version='8'), version_header=True)
        self.check(handshake(version=None), version_header=True)

    def test_not_an_upgrade(self):
        head, rest = self.check(b'GET /ws HTTP/1.1\r\nHost: x\r\n\r\n')
        self.assertIn(b'Not a WebSocket request', rest)


def protocol_app():
    app = Microdot()

    @app.route('/ws')
    @with_websocket(subprotocols=['chat.v2', 'chat.v1'])
    async def ws(request, ws):
        await ws.send(str(ws.subprotocol))

    @app.route('/manual')
    async def manual(request):
        from microdot.websocket import websocket_upgrade
        ws = await websocket_upgrade(request)
        await ws.send(await ws.receive() + '!')
        await ws.close()
        from microdot import Response
        return Response.already_handled

    return app


class SubprotocolTest(unittest.TestCase):
    def negotiate(self, offered):
        headers = {'Sec-WebSocket-Protocol': offered} if offered else None
        head, rest, writer = run(serve(protocol_app(), handshake(
            '/ws', headers) + close(1000)))
        return head, rest

    def test_server_preference_wins(self):
        head, rest = self.negotiate('chat.v1, chat.v2')
        self.assertIn('\r\nSec-WebSocket-Protocol: chat.v2', head)
        self.assertEqual(rest, sframe(1, 'chat.v2') + sclose(1000))

    def test_only_offered_protocol(self):
        head, rest = self.negotiate('other, chat.v1')
        self.assertIn('\r\nSec-WebSocket-Protocol: chat.v1', head)

    def test_no_common_protocol(self):
        for offered in ('other', None):
            head, rest = self.negotiate(offered)
            self.assertNotIn('Sec-WebSocket-Protocol', head)
            self.assertEqual(rest, sframe(1, 'None') + sclose(1000))

    def test_upgrade_by_hand(self):
        out = run_ws(protocol_app(), text('hi') + close(1000), path='/manual')
        self.assertEqual(out, sframe(1, 'hi!') + sclose(1000))

    def test_endpoint_name_is_kept(self):
        app = protocol_app()
        names = [getattr(route[2] if isinstance(route, tuple)
                         else route.handler, '__name__', None)
                 for route in app.url_map]
        self.assertIn('ws', names)


class AsgiSeamTest(unittest.TestCase):
    def test_adapter_websocket_is_used(self):
        calls = []

        class AdapterWS:
            subprotocol = 'p'

            async def receive(self):
                return 'from adapter'

            async def send(self, data, opcode=None):
                calls.append(('send', data))

            async def close(self):
                calls.append(('close',))

        app = Microdot()

        async def accept(request, subprotocols):
            calls.append(('accept', subprotocols))
            return AdapterWS()
        app.accept_websocket = accept

        @app.route('/ws')
        @with_websocket(subprotocols=['p'])
        async def ws(request, ws):
            await ws.send(await ws.receive())

        head, rest, writer = run(serve(app, handshake()))
        self.assertEqual(calls, [('accept', ['p']), ('send', 'from adapter'),
                                 ('close',)])
        self.assertEqual(head, '')  # the adapter answers, not the server


if __name__ == '__main__':
    unittest.main()
