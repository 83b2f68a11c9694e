"""The test client's WebSocket and Server-Sent Events support (imported by
:class:`~microdot.test_client.TestClient` on first use)."""
import asyncio
import json

_MASK = b'\x12\x34\x56\x78'


class _Pipe:
    """One direction of an in-memory connection, as an asyncio stream."""

    def __init__(self):
        self.data = b''
        self.eof = False
        self.closed = False
        self.event = asyncio.Event()

    # the reading side

    async def read(self, n=-1):
        while not self.data and not self.eof:
            self.event.clear()
            await self.event.wait()
        if n < 0:
            n = len(self.data)
        data = self.data[:n]
        self.data = self.data[n:]
        return data

    async def readexactly(self, n):
        data = b''
        while len(data) < n:
            chunk = await self.read(n - len(data))
            if not chunk:
                raise EOFError('connection closed')
            data += chunk
        return data

    # the writing side

    def write(self, data):
        self.data += bytes(data)
        self.event.set()

    async def drain(self):
        await asyncio.sleep(0)

    def close(self):
        self.closed = True
        self.eof = True
        self.event.set()

    async def wait_closed(self):
        pass

    def get_extra_info(self, name, default=None):
        return ('127.0.0.1', 1234) if name == 'peername' else default


def _frame(opcode, payload):
    from .websocket import unmask
    n = len(payload)
    if n < 126:
        head = bytes((0x80 | opcode, 0x80 | n))
    elif n < 65536:
        head = bytes((0x80 | opcode, 0xfe, n >> 8, n & 0xff))
    else:
        head = bytes((0x80 | opcode, 0xff)) + n.to_bytes(8, 'big')
    body = bytearray(payload)
    if n:
        unmask(body, _MASK)  # masking is the same XOR
    return head + _MASK + bytes(body)


async def _read_message(pipe, server_in):
    """The next message the server sends: str, bytes, or None once it
    closed (answering pings on the way)."""
    parts = b''
    kind = 1
    while True:
        head = await pipe.readexactly(2)
        n = head[1] & 0x7f
        if n == 126:
            n = int.from_bytes(await pipe.readexactly(2), 'big')
        elif n == 127:
            n = int.from_bytes(await pipe.readexactly(8), 'big')
        payload = await pipe.readexactly(n) if n else b''
        op = head[0] & 0x0f
        if op == 9:
            server_in.write(_frame(10, payload))
        elif op == 8:
            return None, payload
        elif op < 8:
            if op:
                kind = op
            parts += payload
            if head[0] & 0x80:
                return (parts.decode() if kind == 1 else parts), None


async def websocket(client, path, handler, headers=None):
    """:meth:`TestClient.websocket`: see there."""
    from .test_client import TestResponse
    from . import server
    server_in = _Pipe()
    server_out = _Pipe()
    lines = ['GET ' + path + ' HTTP/1.1', 'Host: ' + client.host,
             'Upgrade: websocket', 'Connection: Upgrade',
             'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
             'Sec-WebSocket-Version: 13']
    if client.cookies:
        lines.append('Cookie: ' + '; '.join(
            k + '=' + str(v) for k, v in client.cookies.items()))
    for name, value in (headers or {}).items():
        lines.append(name + ': ' + str(value))
    server_in.write(('\r\n'.join(lines) + '\r\n\r\n').encode())
    task = asyncio.create_task(server.serve_connection(
        client.app, server_in, server_out, client.scheme))
    head = b''
    while b'\r\n\r\n' not in head:
        data = await server_out.read(1024)
        if not data:
            break
        head += data
    head, _, rest = head.partition(b'\r\n\r\n')
    if not head.startswith(b'HTTP/1.1 101 '):
        server_in.close()
        await task
        return TestResponse(head + b'\r\n\r\n' + rest + server_out.data)
    server_out.data = rest + server_out.data
    res = TestResponse(head + b'\r\n\r\n')
    res.messages = []
    res.close_code = None
    gen = handler()
    step = gen.__anext__
    closed = None
    try:
        msg = await step()
        while True:
            if msg is not None:
                server_in.write(_frame(1 if isinstance(msg, str) else 2,
                                       msg.encode() if isinstance(msg, str)
                                       else msg))
            reply, closed = await _read_message(server_out, server_in)
            if reply is None:
                break
            res.messages.append(reply)
            if hasattr(gen, 'asend'):
                msg = await gen.asend(reply)
            else:
                msg = await step()
    except StopAsyncIteration:
        pass
    except EOFError:
        pass
    if closed is None:  # we close first, then wait for the server's close
        server_in.write(_frame(8, b'\x03\xe8'))
        try:
            while True:
                reply, closed = await _read_message(server_out, server_in)
                if reply is None:
                    break
        except EOFError:
            pass
    else:
        server_in.write(_frame(8, closed[:2]))
    if closed and len(closed) >= 2:
        res.close_code = closed[0] << 8 | closed[1]
    server_in.close()
    await asyncio.wait_for(task, 5)
    return res


def parse_events(body):
    """The events of a ``text/event-stream`` body: a list of dicts with
    ``data`` (bytes, lines joined with newlines), ``data_json`` (the data
    parsed as JSON, or None), ``event`` and ``event_id`` (str or None)
    and ``retry`` (ms, or None). Comments are skipped."""
    events = []
    body = body.replace(b'\r\n', b'\n').replace(b'\r', b'\n')
    for block in body.split(b'\n\n'):
        data = None
        event = event_id = retry = None
        for line in block.split(b'\n'):
            name, _, value = line.partition(b':')
            if not name:
                continue  # a comment, or nothing
            if value.startswith(b' '):
                value = value[1:]
            if name == b'data':
                data = value if data is None else data + b'\n' + value
            elif name == b'event':
                event = value.decode()
            elif name == b'id':
                event_id = value.decode()
            elif name == b'retry':
                retry = int(value)
        if data is None:
            continue
        try:
            data_json = json.loads(data)
        except ValueError:
            data_json = None
        events.append({'data': data, 'data_json': data_json, 'event': event,
                       'event_id': event_id, 'retry': retry})
    return events
