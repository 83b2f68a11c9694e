"""Improv Wi-Fi over the serial port, as browser installers (ESP Web Tools)
and the Improv apps speak it: get the state, the device info, a scan, the
hostname, and set the Wi-Fi credentials.

A packet is ``b'IMPROV'``, version (1), type, data length, data and a
checksum (the low byte of the sum of every byte before it). Types: 1
current state, 2 error state (device to client), 3 RPC command (client to
device), 4 RPC result (device to client: the command, a length, then
length-prefixed UTF-8 strings). Every byte outside a packet is ignored, so
the console output can share the line; packets we send end with a newline.

The REPL's Ctrl-C would fire on the 0x03 bytes inside packets, so while
Improv listens the port's keyboard interrupt is off and a 0x03 byte that
is not part of a packet raises KeyboardInterrupt here instead.
"""
import asyncio
import sys

HEADER = b'IMPROV'
VERSION = 1

TYPE_STATE, TYPE_ERROR, TYPE_RPC, TYPE_RESULT = 1, 2, 3, 4
STATE_READY, STATE_PROVISIONING, STATE_PROVISIONED = 2, 3, 4
ERROR_NONE, ERROR_INVALID, ERROR_UNKNOWN_RPC, ERROR_CONNECT, \
    ERROR_HOSTNAME, ERROR_UNKNOWN = 0, 1, 2, 3, 5, 0xff
CMD_WIFI, CMD_STATE, CMD_INFO, CMD_SCAN, CMD_HOSTNAME = 1, 2, 3, 4, 5

FIRMWARE = 'Microdot kit'
VERSION_TEXT = '1.0'


def checksum(data):
    total = 0
    for b in data:
        total += b
    return total & 0xff


def packet(ptype, data=b''):
    """One packet (bytes) of type ``ptype`` carrying ``data``."""
    body = HEADER + bytes([VERSION, ptype, len(data)]) + bytes(data)
    return body + bytes([checksum(body)]) + b'\n'


def encode_strings(strings):
    out = b''
    for s in strings:
        b = s.encode() if isinstance(s, str) else bytes(s)
        out += bytes([len(b)]) + b
    return out


def decode_strings(data):
    """Length-prefixed strings -> list of str; ValueError if they do not
    add up to ``data``."""
    out = []
    pos = 0
    while pos < len(data):
        n = data[pos]
        if pos + 1 + n > len(data):
            raise ValueError('string runs past the data')
        out.append(bytes(data[pos + 1:pos + 1 + n]).decode())
        pos += 1 + n
    return out


def rpc_result(command, strings):
    data = encode_strings(strings)
    return packet(TYPE_RESULT, bytes([command, len(data)]) + data)


class Parser:
    """Finds packets in a byte stream. :meth:`feed` takes one byte and
    returns ``(type, data)`` for a complete good packet, ``'bad'`` for a
    complete packet with a wrong checksum or version, else None."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.buf = bytearray()
        self.need = None  # total packet length once the length is known

    def busy(self):
        """True inside a packet (past its header's first byte)."""
        return len(self.buf) > 0

    def feed(self, b):
        buf = self.buf
        n = len(buf)
        if n < 6:
            if b == HEADER[n]:
                buf.append(b)
            elif b == HEADER[0]:
                self.buf = bytearray(b'I')
            else:
                self.buf = bytearray()
            return None
        buf.append(b)
        if n == 8:
            self.need = 9 + b + 1
        if self.need is None or len(buf) < self.need:
            return None
        data = bytes(buf)
        self.reset()
        if data[6] != VERSION or checksum(data[:-1]) != data[-1]:
            return 'bad'
        return data[7], data[9:-1]


class StdioPort:
    """The console (stdin/stdout) as a non-blocking byte port."""

    def __init__(self, stdin=None, stdout=None):
        import select
        self.stdin = stdin or sys.stdin
        out = stdout or sys.stdout
        self.out = getattr(out, 'buffer', out)
        self.inb = getattr(self.stdin, 'buffer', self.stdin)
        self.poll = select.poll()
        self.poll.register(self.stdin, select.POLLIN)

    def read(self):
        """Bytes waiting now (b'' if none)."""
        if not self.poll.poll(0):
            return b''
        return self.inb.read(1) or b''

    def write(self, data):
        self.out.write(data)
        if hasattr(self.out, 'flush'):
            self.out.flush()


class Improv:
    """The Improv service. ``wifi``: a :class:`kitwifi.Wifi`; ``cfg``: the
    config (updated on success); ``save(cfg)`` writes it; ``port``: has
    ``read()`` (bytes now, b'' if none) and ``write(bytes)``;
    ``on_joined(ip)`` is called once credentials worked; ``url(ip)`` makes
    the address sent back to the client."""

    def __init__(self, wifi, cfg, save, port, on_joined=None, url=None,
                 device_name=None, log=None):
        self.wifi = wifi
        self.cfg = cfg
        self.save = save
        self.port = port
        self.on_joined = on_joined
        self.url = url or (lambda ip: 'http://%s/' % ip)
        self.device_name = device_name
        self.log = log or (lambda msg: None)
        self.parser = Parser()
        self.state = STATE_PROVISIONED if wifi.state == 'connected' \
            else STATE_READY
        self._closing = False

    def send(self, data):
        self.port.write(data)

    def set_state(self, state):
        self.state = state
        self.send(packet(TYPE_STATE, bytes([state])))

    def error(self, code):
        self.send(packet(TYPE_ERROR, bytes([code])))

    def info(self):
        impl = sys.implementation
        chip = getattr(impl, '_machine', None) or sys.platform
        return [FIRMWARE, VERSION_TEXT, chip,
                self.device_name or self.cfg.get('hostname') or 'microdot',
                impl.name, '.'.join(str(v) for v in impl.version[:3])]

    async def handle(self, ptype, data):
        """Act on one packet."""
        if ptype != TYPE_RPC:
            return
        if len(data) < 2 or data[1] != len(data) - 2:
            self.error(ERROR_INVALID)
            return
        command, args = data[0], data[2:]
        self.error(ERROR_NONE)
        if command == CMD_WIFI:
            await self.provision(args)
        elif command == CMD_STATE:
            self.set_state(self.state)
            if self.state == STATE_PROVISIONED and self.wifi.ip:
                self.send(rpc_result(CMD_STATE, [self.url(self.wifi.ip)]))
        elif command == CMD_INFO:
            self.send(rpc_result(CMD_INFO, self.info()))
        elif command == CMD_SCAN:
            for name, rssi, secured in self.wifi.scan():
                self.send(rpc_result(CMD_SCAN, [name, str(rssi),
                                                'YES' if secured else 'NO']))
            self.send(rpc_result(CMD_SCAN, []))
        elif command == CMD_HOSTNAME:
            await self.hostname(args)
        else:
            self.error(ERROR_UNKNOWN_RPC)

    async def hostname(self, args):
        from kitconfig import ConfigError, check_hostname, validate_config
        if args:
            try:
                name = bytes(args).decode()
                if check_hostname(name):
                    raise ValueError(name)
                new = validate_config(dict(self.cfg, hostname=name))
            except (ValueError, ConfigError):  # UnicodeError is one too
                self.error(ERROR_HOSTNAME)
                return
            if not self.save(new):
                self.error(ERROR_UNKNOWN)
                return
            self.cfg.update(new)
        self.send(rpc_result(CMD_HOSTNAME, [self.cfg['hostname']]))

    async def provision(self, args):
        from kitconfig import ConfigError, remember_network
        try:
            ssid, password = decode_strings(args)[:2]
            new = remember_network(self.cfg, ssid, password)
            if not ssid:
                raise ValueError('empty SSID')
        except (ValueError, ConfigError):
            self.error(ERROR_INVALID)
            return
        self.set_state(STATE_PROVISIONING)
        if not self.save(new):
            self.error(ERROR_UNKNOWN)
            self.set_state(STATE_READY)
            return
        self.cfg.update(new)
        self.log('improv: joining "%s"' % ssid)
        ip = await self.wifi.join(ssid, password)
        if not ip:
            self.error(ERROR_CONNECT)
            self.set_state(STATE_READY)
            return
        self.set_state(STATE_PROVISIONED)
        self.send(rpc_result(CMD_WIFI, [self.url(ip)]))
        if self.on_joined is not None:
            self.on_joined(ip)

    async def serve(self, poll_ms=20):
        """Read and answer packets until :meth:`close`."""
        kbd = None
        try:
            import micropython
            kbd = micropython.kbd_intr
            kbd(-1)
        except (ImportError, AttributeError):
            pass
        idle = 0
        try:
            while not self._closing:
                data = self.port.read()
                if not data:
                    idle += 1
                    if idle * poll_ms > 2000 and self.parser.busy():
                        self.parser.reset()  # a packet that never ended
                    await asyncio.sleep(poll_ms / 1000)
                    continue
                idle = 0
                for b in data:
                    if b == 3 and not self.parser.busy():
                        raise KeyboardInterrupt
                    got = self.parser.feed(b)
                    if got == 'bad':
                        self.error(ERROR_INVALID)
                    elif got is not None:
                        await self.handle(got[0], got[1])
        finally:
            if kbd is not None:
                kbd(3)

    def close(self):
        self._closing = True
