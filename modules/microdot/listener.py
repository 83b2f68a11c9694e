"""MicroPython's accept loop, kept serving when the heap runs out.

asyncio's own ``start_server`` on MicroPython lets a MemoryError raised
while it wraps a new connection end its accept task: the server stops
listening, the process exits, and the accepted socket is left open (on a
board with a fixed socket pool, repeats exhaust it). This loop closes such
a socket, tells the server to free idle connections, and goes on. Imported
by the server on MicroPython only.
"""
import asyncio
from asyncio import core


class Listener:
    """A listening socket served by :meth:`_serve`; as asyncio's Server
    (``close()``, ``await wait_closed()``)."""

    def __init__(self, sock, callback, ssl, on_memory_error):
        self.sock = sock
        self.callback = callback
        self.ssl = ssl
        self.on_memory_error = on_memory_error
        self.task = core.create_task(self._serve())

    def close(self):
        self.task.cancel()

    async def wait_closed(self):
        try:
            await self.task
        except core.CancelledError:
            pass

    async def _serve(self):
        sock = self.sock
        while True:
            try:
                yield core._io_queue.queue_read(sock)
            except core.CancelledError:
                sock.close()
                return
            try:
                client, addr = sock.accept()
            except Exception:
                continue  # a failed accept (also MemoryError): try again
            try:
                if self.ssl:
                    client = self.ssl.wrap_socket(
                        client, server_side=True,
                        do_handshake_on_connect=False)
                client.setblocking(False)
                stream = asyncio.StreamReader(client, {'peername': addr})
                core.create_task(self.callback(stream, stream))
            except Exception as exc:
                client.close()  # never leave an accepted socket unwatched
                if isinstance(exc, MemoryError):
                    self.on_memory_error()


async def listen(host, port, callback, ssl, on_memory_error, backlog=5):
    """Bind, listen and serve ``callback(reader, writer)`` per connection."""
    import socket
    info = socket.getaddrinfo(host, port)[0]
    sock = socket.socket(info[0])
    sock.setblocking(False)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(info[-1])
    sock.listen(backlog)
    listener = Listener(sock, callback, ssl, on_memory_error)
    await asyncio.sleep_ms(0)  # let _serve start, so close() is handled
    return listener
