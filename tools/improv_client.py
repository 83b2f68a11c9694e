"""A host-side Improv Wi-Fi client for the serial port (our own, for
testing the firmware's Improv service and for setting up a board without
a browser).

    python3 tools/improv_client.py PORT state
    python3 tools/improv_client.py PORT info
    python3 tools/improv_client.py PORT scan
    python3 tools/improv_client.py PORT hostname [NEW]
    python3 tools/improv_client.py PORT wifi SSID [PASSWORD]

PORT is a serial port (/dev/ttyACM0, COM3; needs pyserial) at 115200 baud.
The board must be in setup mode (no Wi-Fi joined yet). Exit status: 0 done,
1 the device reported an error or did not answer, 2 bad usage.

:class:`ImprovClient` works over anything with ``read(n)`` (returning b''
after its timeout, as pyserial does) and ``write(data)``; bytes that are
not Improv packets (the console log) are kept in ``client.console``.
"""
import sys
import time

HEADER = b'IMPROV'
TYPE_STATE, TYPE_ERROR, TYPE_RPC, TYPE_RESULT = 1, 2, 3, 4
STATES = {2: 'ready', 3: 'provisioning', 4: 'provisioned'}
ERRORS = {0: 'no error', 1: 'invalid RPC packet', 2: 'unknown RPC command',
          3: 'unable to connect', 5: 'bad hostname', 0xff: 'unknown error'}
CMD_WIFI, CMD_STATE, CMD_INFO, CMD_SCAN, CMD_HOSTNAME = 1, 2, 3, 4, 5


class ImprovError(Exception):
    """The device reported an error state, or did not answer."""


def frame(ptype, data):
    """An Improv packet (version 1) with its checksum and a newline."""
    body = HEADER + bytes([1, ptype, len(data)]) + bytes(data)
    return body + bytes([sum(body) & 0xff]) + b'\n'


def rpc(command, data=b''):
    return frame(TYPE_RPC, bytes([command, len(data)]) + bytes(data))


def strings(items):
    out = b''
    for s in items:
        b = s.encode('utf-8')
        if len(b) > 255:
            raise ValueError('string longer than 255 bytes: %r' % s)
        out += bytes([len(b)]) + b
    return out


def parse_result(data):
    """RPC result data -> (command, [str, ...])."""
    if len(data) < 2 or data[1] != len(data) - 2:
        raise ImprovError('malformed RPC result %r' % (data,))
    items, pos = [], 2
    while pos < len(data):
        n = data[pos]
        items.append(data[pos + 1:pos + 1 + n].decode('utf-8'))
        pos += 1 + n
    return data[0], items


class ImprovClient:
    """Talks Improv to a device on ``port`` (``read(n)``, ``write(b)``)."""

    def __init__(self, port, timeout=10):
        self.port = port
        self.timeout = timeout
        self.buf = b''
        self.console = b''
        self.state = None

    def send(self, command, data=b''):
        self.port.write(rpc(command, data))

    def _take_packet(self):
        """A (type, data) from the buffer, or None; junk goes to console."""
        while True:
            i = self.buf.find(HEADER)
            if i < 0:
                keep = 0
                for n in range(len(HEADER) - 1, 0, -1):
                    if self.buf.endswith(HEADER[:n]):
                        keep = n
                        break
                cut = len(self.buf) - keep
                self.console += self.buf[:cut]
                self.buf = self.buf[cut:]
                return None
            self.console += self.buf[:i]
            self.buf = self.buf[i:]
            if len(self.buf) < 9:
                return None
            end = 9 + self.buf[8] + 1
            if len(self.buf) < end:
                return None
            packet, self.buf = self.buf[:end], self.buf[end:]
            if packet[6] == 1 and sum(packet[:-1]) & 0xff == packet[-1]:
                return packet[7], packet[9:-1]
            self.console += packet[:1]  # a false header: look past it
            self.buf = packet[1:] + self.buf

    def read_packet(self, timeout=None):
        """The next packet from the device: (type, data)."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            got = self._take_packet()
            if got is not None:
                if got[0] == TYPE_STATE and got[1]:
                    self.state = STATES.get(got[1][0], got[1][0])
                return got
            if time.monotonic() > deadline:
                raise ImprovError('no answer from the device')
            self.buf += self.port.read(64) or b''

    def _result(self, command, timeout=None):
        """Wait for the RPC result of ``command``; an error state other
        than 'no error' raises ImprovError."""
        while True:
            ptype, data = self.read_packet(timeout)
            if ptype == TYPE_ERROR and data and data[0] != 0:
                raise ImprovError(ERRORS.get(data[0], 'error %d' % data[0]))
            if ptype == TYPE_RESULT:
                cmd, items = parse_result(data)
                if cmd == command:
                    return items

    def get_state(self):
        """'ready', 'provisioning' or 'provisioned'."""
        self.send(CMD_STATE)
        while True:
            ptype, data = self.read_packet()
            if ptype == TYPE_ERROR and data and data[0] != 0:
                raise ImprovError(ERRORS.get(data[0], 'error %d' % data[0]))
            if ptype == TYPE_STATE:
                return self.state

    def device_info(self):
        """[firmware, version, chip, device name, ...]."""
        self.send(CMD_INFO)
        return self._result(CMD_INFO)

    def scan(self):
        """[(ssid, rssi, secured), ...] as the device saw them."""
        self.send(CMD_SCAN)
        found = []
        while True:
            items = self._result(CMD_SCAN)
            if not items:
                return found
            found.append((items[0], int(items[1]), items[2] == 'YES'))

    def hostname(self, new=None):
        """The device's hostname (set to ``new`` first when given)."""
        self.send(CMD_HOSTNAME, new.encode('utf-8') if new else b'')
        return self._result(CMD_HOSTNAME)[0]

    def provision(self, ssid, password='', timeout=120):
        """Send Wi-Fi credentials; the URL of the device once it joined.
        Raises ImprovError('unable to connect') when it could not."""
        self.send(CMD_WIFI, strings([ssid, password]))
        items = self._result(CMD_WIFI, timeout)
        return items[0] if items else ''


def main(argv):
    usage = __doc__.split('\n\n')[1]
    if len(argv) < 3:
        print(usage, file=sys.stderr)
        return 2
    port, cmd, args = argv[1], argv[2], argv[3:]
    try:
        import serial
    except ImportError:
        print('improv_client: install pyserial', file=sys.stderr)
        return 2
    dev = serial.Serial(port, 115200, timeout=0.2)
    client = ImprovClient(dev)
    try:
        if cmd == 'state':
            print(client.get_state())
        elif cmd == 'info':
            print('\n'.join(client.device_info()))
        elif cmd == 'scan':
            for ssid, rssi, secured in client.scan():
                print('%4d dBm %s %s' % (rssi, '*' if secured else ' ', ssid))
        elif cmd == 'hostname' and len(args) <= 1:
            print(client.hostname(args[0] if args else None))
        elif cmd == 'wifi' and 1 <= len(args) <= 2:
            print(client.provision(args[0], args[1] if len(args) > 1 else ''))
        else:
            print(usage, file=sys.stderr)
            return 2
    except ImprovError as exc:
        print('improv_client: %s' % exc, file=sys.stderr)
        return 1
    finally:
        dev.close()
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
