"""A catch-all DNS server for the setup access point (captive portal).

Every name asked for type A (or ANY) is answered with the board's own
address, so whatever a phone looks up after joining the access point
(its connectivity check, a web page) leads to the setup page. Other record
types get an empty answer (the name exists, no record of that type), so a
client asking for AAAA falls back to A. A malformed query is answered with
FORMERR when its header can be read, otherwise dropped.

    server = DNSServer('192.168.4.1')
    task = asyncio.create_task(server.serve())   # port 53 on every address
    ...
    server.close()

:meth:`DNSServer.serve` polls a non-blocking UDP socket from an asyncio task
(MicroPython's asyncio has no datagram endpoints), so the HTTP server and
everything else keeps running on the same loop.
"""
import asyncio

TTL = 10  # seconds: phones should not keep these answers once set up

_A, _ANY, _IN = 1, 255, 1
_FORMERR, _NOTIMP = 1, 4


def _name_end(data, pos):
    """Index just past the (uncompressed) name starting at ``pos``, or -1."""
    total = 0
    while pos < len(data):
        n = data[pos]
        if n == 0:
            return pos + 1
        if n > 63:  # a compression pointer or a reserved label type
            return -1
        total += n + 1
        if total > 255:
            return -1
        pos += n + 1
    return -1


def question_name(data):
    """The name asked about in query ``data``, as text ('' if unreadable)."""
    labels = []
    pos = 12
    while pos < len(data) and data[pos]:
        n = data[pos]
        if n > 63:
            break
        try:
            labels.append(bytes(data[pos + 1:pos + 1 + n]).decode())
        except UnicodeError:
            labels.append('?')
        pos += n + 1
    return '.'.join(labels)


def _ip_bytes(ip):
    parts = [int(p) for p in ip.split('.')]
    if len(parts) != 4 or not all(0 <= p <= 255 for p in parts):
        raise ValueError('not an IPv4 address: %r' % ip)
    return bytes(parts)


def answer(data, ip):
    """The reply to query ``data`` (bytes) pointing every name at ``ip``
    (bytes of 4, or a dotted string); None when no reply should be sent."""
    if isinstance(ip, str):
        ip = _ip_bytes(ip)
    if len(data) < 12 or data[2] & 0x80:  # too short, or itself a reply
        return None
    flags = data[2]
    opcode = (flags >> 3) & 0x0f
    # QR=1, the query's opcode and RD, AA=1; RA=1 in the second byte
    head = bytes([data[0], data[1], 0x80 | (flags & 0x79) | 0x04])
    qdcount = data[4] << 8 | data[5]
    end = _name_end(data, 12) if qdcount == 1 else -1
    if end < 0 or end + 4 > len(data):
        return head + bytes([0x80 | _FORMERR]) + bytes(8)
    question = bytes(data[12:end + 4])
    if opcode != 0:
        return head + bytes([0x80 | _NOTIMP, 0, 1, 0, 0, 0, 0, 0, 0]) + \
            question
    qtype = data[end] << 8 | data[end + 1]
    qclass = data[end + 2] << 8 | data[end + 3]
    if qclass == _IN and qtype in (_A, _ANY):
        record = b'\xc0\x0c\x00\x01\x00\x01' + \
            bytes([TTL >> 24 & 255, TTL >> 16 & 255, TTL >> 8 & 255,
                   TTL & 255, 0, 4]) + ip
        return head + b'\x80\x00\x01\x00\x01\x00\x00\x00\x00' + question + \
            record
    return head + b'\x80\x00\x01\x00\x00\x00\x00\x00\x00' + question


class DNSServer:
    """Answers every DNS query on ``host``:``port`` (UDP) with ``ip``.

    ``poll_ms``: how often the socket is polled while idle. ``log``: called
    with the name of each query when given. ``queries`` counts the
    answered queries (the status endpoint shows it).
    """

    def __init__(self, ip, port=53, host='0.0.0.0', poll_ms=20, log=None):
        self.ip = _ip_bytes(ip)
        self.port = port
        self.host = host
        self.poll_ms = poll_ms
        self.log = log
        self.queries = 0
        self.sock = None
        self._closing = False

    def open(self):
        """Bind the socket (raises OSError if the port is taken)."""
        if self.sock is None:
            import socket
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.bind(socket.getaddrinfo(self.host, self.port)[0][-1])
                sock.setblocking(False)
            except Exception:
                sock.close()
                raise
            self.sock = sock
        return self

    def handle(self, data, addr):
        """Answer one datagram (a bad one is dropped, never raised)."""
        try:
            reply = answer(data, self.ip)
        except (IndexError, ValueError):
            reply = None
        if reply is None:
            return
        try:
            self.sock.sendto(reply, addr)
        except OSError:  # the client went away; nothing to do
            return
        self.queries += 1
        if self.log is not None:
            self.log('dns: %s -> %d.%d.%d.%d' % ((question_name(data),)
                                                 + tuple(self.ip)))

    async def serve(self):
        """Answer queries until :meth:`close` (or the task is cancelled)."""
        self.open()
        try:
            while not self._closing:
                try:
                    data, addr = self.sock.recvfrom(512)
                except OSError:  # nothing waiting (EAGAIN)
                    await asyncio.sleep(self.poll_ms / 1000)
                    continue
                self.handle(data, addr)
                await asyncio.sleep(0)
        finally:
            self._close_socket()

    def close(self):
        """Stop serving and release the socket."""
        self._closing = True
        self._close_socket()

    def _close_socket(self):
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
            self.sock = None
