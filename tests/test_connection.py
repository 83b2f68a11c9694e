"""The HTTP/1 wire (microdot.connection) fed raw bytes, a piece at a time:
request heads, lines, exact reads, writes, keep-alive and lingering."""
import unittest

from microdot import HTTPException
from microdot.connection import Connection, keep_alive
from microdot.request import Request, parse_head
from support import run


class Pieces:
    """An asyncio-like stream that hands out ``data`` in ``size`` pieces."""

    def __init__(self, data, size=3):
        self.data = data
        self.size = size
        self.written = []
        self.closed = False

    async def read(self, n):
        piece = self.data[:min(n, self.size)]
        self.data = self.data[len(piece):]
        return piece

    def write(self, data):
        self.written.append(bytes(data))

    async def drain(self):
        pass

    def close(self):
        self.closed = True

    async def wait_closed(self):
        pass

    def get_extra_info(self, name):
        return ('10.0.0.9', 4321) if name == 'peername' else None


def conn_for(data, size=3):
    stream = Pieces(data, size)
    return Connection(stream, stream), stream


class HeadTest(unittest.TestCase):
    def test_heads_in_pieces_and_pipelined(self):
        for size in (1, 2, 7, 512):
            conn, _ = conn_for(b'GET /a HTTP/1.1\r\nHost: x\r\n\r\n'
                               b'GET /b HTTP/1.1\r\nHost: y\r\n\r\n', size)
            first = run(conn.read_head(100, 1000))
            second = run(conn.read_head(100, 1000))
            self.assertEqual(first, b'GET /a HTTP/1.1\r\nHost: x')
            self.assertEqual(second, b'GET /b HTTP/1.1\r\nHost: y')
            self.assertIsNone(run(conn.read_head(100, 1000)))

    def test_limits(self):
        conn, _ = conn_for(b'GET /' + b'a' * 200 + b' HTTP/1.1\r\n\r\n', 50)
        with self.assertRaises(HTTPException) as cm:
            run(conn.read_head(100, 1000))
        self.assertEqual(cm.exception.status_code, 414)
        conn, _ = conn_for(b'GET / HTTP/1.1\r\n' + b'X: y\r\n' * 100, 50)
        with self.assertRaises(HTTPException) as cm:
            run(conn.read_head(100, 300))
        self.assertEqual(cm.exception.status_code, 431)

    def test_cut_short(self):
        conn, _ = conn_for(b'GET / HTTP/1.1\r\nHost')
        with self.assertRaises(HTTPException) as cm:
            run(conn.read_head(100, 1000))
        self.assertEqual(cm.exception.status_code, 400)


class ReadTest(unittest.TestCase):
    def test_read_line_reports_bare_lf(self):
        conn, _ = conn_for(b'one\r\ntwo\nthree')
        self.assertEqual(run(conn.read_line(10)), b'one')
        self.assertFalse(conn.bare_lf)
        self.assertEqual(run(conn.read_line(10)), b'two')
        self.assertTrue(conn.bare_lf)
        with self.assertRaises(EOFError):
            run(conn.read_line(10))

    def test_read_line_limit(self):
        conn, _ = conn_for(b'x' * 40 + b'\r\n')
        with self.assertRaises(ValueError):
            run(conn.read_line(10))

    def test_readline_like_asyncio(self):
        conn, _ = conn_for(b'a\nbb\r\nrest')
        self.assertEqual(run(conn.readline()), b'a\n')
        self.assertEqual(run(conn.readline()), b'bb\r\n')
        self.assertEqual(run(conn.readline()), b'rest')
        self.assertEqual(run(conn.readline()), b'')

    def test_read_and_readexactly(self):
        conn, _ = conn_for(b'0123456789', 4)
        self.assertEqual(run(conn.readexactly(6)), b'012345')
        self.assertEqual(run(conn.read(100)), b'67')
        with self.assertRaises(EOFError):
            run(conn.readexactly(5))


class WriteTest(unittest.TestCase):
    def test_writer_interface(self):
        conn, stream = conn_for(b'')

        async def go():
            conn.write(b'a')
            await conn.drain()
            await conn.awrite(b'b')
            await conn.aclose()

        run(go())
        self.assertEqual(stream.written, [b'a', b'b'])
        self.assertTrue(stream.closed)
        self.assertEqual(conn.get_extra_info('peername'), ('10.0.0.9', 4321))

    def test_linger_reads_what_is_left(self):
        conn, stream = conn_for(b'x' * 5000, 1000)
        run(conn.linger())
        self.assertEqual(stream.data, b'')


class KeepAliveTest(unittest.TestCase):
    def request(self, head):
        method, url, version, headers = parse_head(head, 1000, 10)
        return Request(None, None, method, url, version, headers)

    def test_decision(self):
        cases = [
            (b'GET / HTTP/1.1\r\nHost: x', True),
            (b'GET / HTTP/1.1\r\nHost: x\r\nConnection: close', False),
            (b'GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, Close',
             False),
            (b'GET / HTTP/1.0', False),
            (b'GET / HTTP/1.0\r\nConnection: keep-alive', True),
        ]
        for head, expected in cases:
            self.assertEqual(keep_alive(self.request(head)), expected, head)


class RequestOffTheWireTest(unittest.TestCase):
    def test_request_with_body_in_pieces(self):
        conn, _ = conn_for(b'POST /p?q=1 HTTP/1.1\r\nHost: x\r\n'
                           b'Content-Length: 5\r\n\r\nhello'
                           b'GET /next HTTP/1.1\r\nHost: x\r\n\r\n', 2)
        req = run(Request.create(None, conn))
        self.assertEqual((req.method, req.path, req.body),
                         ('POST', '/p', b'hello'))
        self.assertEqual(req.args['q'], '1')
        self.assertTrue(req.sock[0] is conn and req.sock[1] is conn)
        self.assertEqual(req.client_addr, ('10.0.0.9', 4321))
        nxt = run(Request.create(None, conn))
        self.assertEqual(nxt.path, '/next')

    def test_chunked_body_in_pieces(self):
        conn, _ = conn_for(b'POST / HTTP/1.1\r\nHost: x\r\n'
                           b'Transfer-Encoding: chunked\r\n\r\n'
                           b'3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n', 1)
        req = run(Request.create(None, conn))
        self.assertEqual(req.body, b'abcde')


if __name__ == '__main__':
    unittest.main()
