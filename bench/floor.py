"""The floor: the least an asyncio HTTP server can do on this runtime.

It reads until the blank line that ends the request head (in 512-byte
chunks: the fastest way a stream offers, reading line by line with
readline() is about a third slower on MicroPython; 1 KB chunks would need
24 KB of heap to serve 500 requests where these need 17 KB and readline
15 KB), looks only for `Connection: close` (and
HTTP/1.0), and writes one fixed response. No routing, no parsing beyond
that, no JSON encoding. Whatever a framework costs on top of this is the
framework's own cost. Request bodies are not supported: the benchmark
sends none.
"""
import asyncio

BODY = b'{"hello": "world"}'
HEAD = (b'HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=UTF-8'
        b'\r\nContent-Length: ' + str(len(BODY)).encode() + b'\r\n')
KEEP = HEAD + b'\r\n' + BODY
CLOSE = HEAD + b'Connection: close\r\n\r\n' + BODY


async def handle(reader, writer):
    buf = b''
    try:
        while True:
            end = buf.find(b'\r\n\r\n')
            if end < 0:
                data = await reader.read(512)
                if not data:
                    break
                buf += data
                continue
            head = buf[:end].lower()
            buf = buf[end + 4:]
            close = b'connection: close' in head or \
                head[:head.find(b'\r\n')].endswith(b'http/1.0')
            writer.write(CLOSE if close else KEEP)
            await writer.drain()
            if close:
                break
    except OSError:
        pass
    try:
        writer.close()
        await writer.wait_closed()
    except OSError:
        pass  # the client reset the connection


async def start(host, port):
    """Start the floor server; return the asyncio server object."""
    return await asyncio.start_server(handle, host, port)
