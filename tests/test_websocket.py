"""WebSocket frames (RFC 6455 sections 5.2-5.4, Autobahn case groups 1-6):
every length encoding, frames arriving in pieces, fragmentation with
control frames interleaved, UTF-8 validation across fragments. Each test
asserts the exact bytes the server sends back.
"""
import gc
import unittest

from microdot import Microdot
from microdot.websocket import with_websocket, WebSocket
from support import IS_MICROPYTHON
from ws_support import run_ws, text, binary, frame, close, sframe, sclose, \
    handshake, ACCEPT, serve
from support import run


def echo_app():
    app = Microdot()
    app.got = []

    @app.route('/ws')
    @with_websocket
    async def ws(request, ws):
        while True:
            msg = await ws.receive()
            app.got.append(msg)
            await ws.send(msg)

    return app


def big_enough(n):
    """Skip on a board whose heap can not echo an ``n``-byte message."""
    if IS_MICROPYTHON:
        gc.collect()
        if gc.mem_free() < 5 * n + 20000:
            raise unittest.SkipTest('needs %d KB free heap' % (5 * n // 1024))


class HandshakeTest(unittest.TestCase):
    def test_switching_protocols(self):
        head, rest, writer = run(serve(echo_app(), handshake() + close(1000)))
        lines = head.split('\r\n')
        self.assertEqual(lines[0], 'HTTP/1.1 101 Switching Protocols')
        self.assertEqual(sorted(lines[1:]), sorted([
            'Upgrade: websocket', 'Connection: Upgrade',
            'Sec-WebSocket-Accept: ' + ACCEPT]))
        self.assertEqual(rest, sclose(1000))
        self.assertTrue(writer.closed)


class LengthTest(unittest.TestCase):
    def echo(self, n, size=1 << 30, form=None, opcode=1):
        big_enough(n)
        payload = ('abcdefghij' * (n // 10 + 1))[:n]
        if opcode == 2:
            payload = payload.encode()
        app = echo_app()
        out = run_ws(app, frame(opcode, payload, form=form) + close(1000),
                     size)
        self.assertEqual(app.got, [payload])
        self.assertEqual(out, sframe(opcode, payload) + sclose(1000))

    def test_empty(self):
        self.echo(0)
        self.echo(0, opcode=2)

    def test_7_bit_lengths(self):
        self.echo(1)
        self.echo(125)
        self.echo(125, opcode=2)

    def test_16_bit_lengths(self):
        self.echo(126)
        self.echo(127, opcode=2)
        self.echo(4096)

    def test_16_bit_maximum(self):
        self.echo(65535)

    def test_64_bit_length(self):
        self.echo(65536, opcode=2)

    def test_longer_forms_than_needed_are_accepted(self):
        self.echo(5, form=16)
        self.echo(5, form=64)
        self.echo(300, form=64)

    def test_frames_arriving_in_pieces(self):
        for size in (1, 2, 3, 7, 64):
            self.echo(0, size)
            self.echo(125, size)
            self.echo(126, size)
            self.echo(1500, size, opcode=2)

    def test_big_frame_in_pieces(self):
        self.echo(65536, 997)

    def test_binary_is_bytes_text_is_str(self):
        app = echo_app()
        run_ws(app, text('t') + binary(b'b') + close(1000))
        self.assertEqual(app.got, ['t', b'b'])

    def test_several_frames_in_one_read(self):
        app = echo_app()
        out = run_ws(app, text('a') + text('bc') + binary(b'\x00\xff') +
                     close(1000))
        self.assertEqual(out, sframe(1, 'a') + sframe(1, 'bc') +
                         sframe(2, b'\x00\xff') + sclose(1000))


class FragmentationTest(unittest.TestCase):
    def test_text_in_three_fragments(self):
        app = echo_app()
        out = run_ws(app, frame(1, 'Hel', fin=False) + frame(0, 'lo, ',
                     fin=False) + frame(0, 'world') + close(1000))
        self.assertEqual(app.got, ['Hello, world'])
        self.assertEqual(out, sframe(1, 'Hello, world') + sclose(1000))

    def test_binary_fragments_in_pieces(self):
        data = bytes(range(256)) * 8
        frames = frame(2, data[:1000], fin=False) + \
            frame(0, data[1000:1001], fin=False) + frame(0, b'', fin=False) \
            + frame(0, data[1001:])
        for size in (1, 5, 300):
            app = echo_app()
            out = run_ws(app, frames + close(1000), size)
            self.assertEqual(app.got, [data])
            self.assertEqual(out, sframe(2, data) + sclose(1000))

    def test_ping_between_fragments(self):
        app = echo_app()
        out = run_ws(app, frame(1, 'frag', fin=False) + frame(9, 'p1') +
                     frame(0, 'ment', fin=False) + frame(10, 'x') +
                     frame(9, '') + frame(0, 'ed') + close(1000))
        self.assertEqual(app.got, ['fragmented'])
        self.assertEqual(out, sframe(10, 'p1') + sframe(10) +
                         sframe(1, 'fragmented') + sclose(1000))

    def test_continuation_without_a_message(self):
        app = echo_app()
        out = run_ws(app, frame(0, 'x') + text('never'))
        self.assertEqual(app.got, [])
        self.assertEqual(out, sclose(1002, 'continuation without a message'))

    def test_final_continuation_without_a_message(self):
        app = echo_app()
        out = run_ws(app, text('ok') + frame(0, 'x', fin=False))
        self.assertEqual(app.got, ['ok'])
        self.assertEqual(out, sframe(1, 'ok') +
                         sclose(1002, 'continuation without a message'))

    def test_new_message_inside_a_fragmented_one(self):
        for second in (text('b'), binary(b'b'), frame(1, 'b', fin=False)):
            app = echo_app()
            out = run_ws(app, frame(1, 'a', fin=False) + second)
            self.assertEqual(app.got, [])
            self.assertEqual(out, sclose(
                1002, 'new message inside a fragmented one'))

    def test_fragmented_ping_fails(self):
        app = echo_app()
        out = run_ws(app, frame(9, 'a', fin=False) + frame(0, 'b'))
        self.assertEqual(out, sclose(1002, 'bad control frame'))


class Utf8Test(unittest.TestCase):
    VALID = 'κόσμε ✓ 𝄞 ascii'.encode()

    def check_invalid(self, frames):
        app = echo_app()
        out = run_ws(app, frames + text('after'))
        self.assertEqual(app.got, [])
        self.assertEqual(out, sclose(1007, 'invalid UTF-8'))

    def test_valid_multibyte(self):
        app = echo_app()
        out = run_ws(app, frame(1, self.VALID) + close(1000))
        self.assertEqual(app.got, [self.VALID.decode()])
        self.assertEqual(out, sframe(1, self.VALID) + sclose(1000))

    def test_valid_text_split_inside_characters(self):
        data = self.VALID
        for cut in range(1, len(data)):
            app = echo_app()
            run_ws(app, frame(1, data[:cut], fin=False) +
                   frame(0, data[cut:]) + close(1000), size=3)
            self.assertEqual(app.got, [data.decode()])

    def test_invalid_single_frame(self):
        for bad in (b'\xff', b'ab\xfe', b'\xce', b'\x80abc',
                    b'\xc0\xaf',           # overlong '/'
                    b'\xe0\x80\xaf',       # overlong, 3 bytes
                    b'\xed\xa0\x80',       # a UTF-16 surrogate
                    b'\xf4\x90\x80\x80',   # past U+10FFFF
                    b'\xf8\x88\x80\x80\x80'):
            self.check_invalid(frame(1, bad))

    def test_invalid_in_a_later_fragment(self):
        self.check_invalid(frame(1, 'good', fin=False) +
                           frame(0, b'\xed\xa0\x80', fin=False) +
                           frame(0, 'end'))

    def test_truncated_at_message_end(self):
        self.check_invalid(frame(1, 'ok \xce'.encode()[:-1], fin=False) +
                           frame(0, b''))

    def test_fails_fast_before_the_last_fragment(self):
        # the last fragment never arrives: the server answers 1007 as
        # soon as the bad bytes are in, not at the end of the message
        from ws_support import Pieces, Collector, split_head
        from microdot.server import serve_connection
        app = echo_app()
        client = Pieces(handshake() + frame(1, 'ok', fin=False) +
                        frame(0, b'\xff', fin=False), hold=True)
        writer = Collector()

        async def go():
            import asyncio
            task = asyncio.create_task(
                serve_connection(app, client, writer))
            for _ in range(50):
                await asyncio.sleep(0.01)
                if b'\x88' in split_head(writer.out)[1]:
                    break
            client.finish()
            await asyncio.wait_for(task, 3)
        run(go())
        self.assertEqual(split_head(writer.out)[1],
                         sclose(1007, 'invalid UTF-8'))

    def test_binary_is_not_validated(self):
        app = echo_app()
        run_ws(app, binary(b'\xff\xfe') + close(1000))
        self.assertEqual(app.got, [b'\xff\xfe'])


class MaxLengthTest(unittest.TestCase):
    def tearDown(self):
        WebSocket.max_message_length = -1

    def test_message_over_the_limit_closes_with_1009(self):
        WebSocket.max_message_length = 100
        app = echo_app()
        out = run_ws(app, text('x' * 100) + text('y' * 101))
        self.assertEqual(app.got, ['x' * 100])
        self.assertEqual(out, sframe(1, 'x' * 100) +
                         sclose(1009, 'message too big'))

    def test_fragments_count_together(self):
        WebSocket.max_message_length = 100
        app = echo_app()
        out = run_ws(app, frame(1, 'x' * 60, fin=False) +
                     frame(0, 'y' * 60))
        self.assertEqual(app.got, [])
        self.assertEqual(out, sclose(1009, 'message too big'))

    def test_frame_larger_than_the_heap(self):
        # a 2**40-byte frame head: 1009, not a MemoryError or a hang
        app = echo_app()
        out = run_ws(app, b'\x82\xff' + (1 << 40).to_bytes(8, 'big') +
                     b'\x00\x00\x00\x00' + b'data')
        self.assertEqual(out, sclose(1009, 'out of memory'))

    def test_64_bit_length_with_top_bit_set(self):
        app = echo_app()
        out = run_ws(app, b'\x82\xff' + b'\x80' + b'\x00' * 7 +
                     b'\x00\x00\x00\x00')
        self.assertEqual(out, sclose(1002, 'bad frame length'))



class HandshakeDigestTest(unittest.TestCase):
    """The SHA-1 used where a port has no hashlib.sha1 (the QEMU board)."""

    def test_known_digests(self):
        from microdot.websocket import sha1_python
        import binascii
        cases = [
            (b'', 'da39a3ee5e6b4b0d3255bfef95601890afd80709'),
            (b'abc', 'a9993e364706816aba3e25717850c26c9cd0d89d'),
            (b'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq',
             '84983e441c3bd26ebaae4aa1f95129e5e54670f1'),
        ]
        for data, digest in cases:
            self.assertEqual(binascii.hexlify(sha1_python(data)).decode(),
                             digest)
        # RFC 6455's handshake example
        accept = binascii.b2a_base64(sha1_python(
            b'dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11'))
        self.assertEqual(accept.strip(), b's3pPLMBiTxaQ9kYGzzhZRbK+xOo=')


if __name__ == '__main__':
    unittest.main()
