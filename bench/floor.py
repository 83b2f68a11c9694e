"""The floor: the least an asyncio HTTP server can do on this runtime.

It reads the request line and the header lines, ignores everything but
`Connection: close` (and HTTP/1.0), and writes one fixed response. No
routing, no parsing beyond that, no JSON encoding. Whatever a framework
costs on top of this is the framework's own cost.
"""
import asyncio

BODY = b'{"hello": "world"}'
HEAD = (b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n'
        b'Content-Length: ' + str(len(BODY)).encode() + b'\r\n')
KEEP = HEAD + b'\r\n' + BODY
CLOSE = HEAD + b'Connection: close\r\n\r\n' + BODY


async def handle(reader, writer):
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            close = line.rstrip().endswith(b'HTTP/1.0')
            while True:
                header = await reader.readline()
                if header in (b'\r\n', b'\n', b''):
                    break
                header = header.lower()
                if header.startswith(b'connection:') and b'close' in header:
                    close = True
            writer.write(CLOSE if close else KEEP)
            await writer.drain()
            if close:
                break
    except OSError:
        pass
    writer.close()
    await writer.wait_closed()


async def start(host, port):
    """Start the floor server; return the asyncio server object."""
    return await asyncio.start_server(handle, host, port)
