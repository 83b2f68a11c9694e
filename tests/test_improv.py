"""Improv Wi-Fi over serial (firmware/kitimprov.py): packet framing, the
parser, and every RPC against fakes of `network` and the serial port. The
same exchange with our host-side client (tools/improv_client.py) and the
unix port over a pipe: test_improv_serial.py."""
import asyncio
import unittest

from boot_fakes import kitconfig, kitwifi, FakeClock, FakeNetwork, \
    FakeSerial, _run

import kitimprov as im


def rpc(command, data=b''):
    return im.packet(im.TYPE_RPC, bytes([command, len(data)]) + data)


def packets(raw):
    """Every (type, data) the device wrote, in order."""
    parser = im.Parser()
    found = []
    for b in raw:
        got = parser.feed(b)
        if got == 'bad':
            raise AssertionError('bad packet in %r' % raw)
        if got is not None:
            found.append((got[0], bytes(got[1])))
    return found


def results(raw, command):
    return [im.decode_strings(d[2:]) for t, d in packets(raw)
            if t == im.TYPE_RESULT and d[0] == command]


def states(raw):
    return [d[0] for t, d in packets(raw) if t == im.TYPE_STATE]


def errors(raw):
    return [d[0] for t, d in packets(raw) if t == im.TYPE_ERROR]


class FramingTest(unittest.TestCase):
    def test_packet_bytes(self):
        p = im.packet(im.TYPE_STATE, b'\x02')
        self.assertEqual(p[:9], b'IMPROV\x01\x01\x01')
        self.assertEqual(p[9], 2)
        self.assertEqual(p[10], sum(p[:10]) & 0xff)
        self.assertEqual(p[11:], b'\n')

    def test_parser_skips_console_noise(self):
        raw = b'kitboot: hello\r\nIMPRO' + rpc(im.CMD_STATE) + b'>>> I' + \
            rpc(im.CMD_INFO)
        self.assertEqual(packets(raw), [(im.TYPE_RPC, b'\x02\x00'),
                                        (im.TYPE_RPC, b'\x03\x00')])

    def test_bad_checksum_and_version(self):
        p = bytearray(rpc(im.CMD_STATE)[:-1])
        p[-1] ^= 0xff
        parser = im.Parser()
        self.assertEqual([parser.feed(b) for b in p][-1], 'bad')
        p = bytearray(rpc(im.CMD_STATE)[:-1])
        p[6] = 2
        p[-1] = sum(p[:-1]) & 0xff
        self.assertEqual([parser.feed(b) for b in p][-1], 'bad')

    def test_strings(self):
        data = im.encode_strings(['My AP', '', 'pässword'])
        self.assertEqual(im.decode_strings(data), ['My AP', '', 'pässword'])
        with self.assertRaises(ValueError):
            im.decode_strings(b'\x05abc')


class ImprovTest(unittest.TestCase):
    def setUp(self):
        self.net = FakeNetwork(accept=('MyWirelessAP', 'mysecurepassword'))
        self.cfg = kitconfig.validate_config({'hostname': 'lamp'})
        clock = FakeClock()
        self.wifi = kitwifi.Wifi(self.net, self.cfg, ticks_ms=clock.ticks_ms,
                                 sleep_ms=clock.asleep_ms)
        self.wifi.start_ap()
        self.serial = FakeSerial()
        self.saved = []
        self.joined = []

        def save(cfg):
            self.saved.append(cfg)
            return True
        self.improv = im.Improv(self.wifi, self.cfg, save, self.serial,
                                on_joined=self.joined.append)

    def send(self, data):
        """Feed ``data`` to the service and run it until it is read."""
        self.serial.feed(data)

        async def run():
            task = asyncio.create_task(self.improv.serve(poll_ms=1))
            for _ in range(5000):
                await asyncio.sleep(0)
                if not self.serial.inbox and not self.wifi.busy:
                    break
            for _ in range(20):
                await asyncio.sleep(0)
            self.improv.close()
            await task
        self.improv._closing = False
        _run(run())
        return self.serial.out

    def test_state(self):
        out = self.send(rpc(im.CMD_STATE))
        self.assertEqual(errors(out), [im.ERROR_NONE])
        self.assertEqual(states(out), [im.STATE_READY])

    def test_device_info(self):
        info = results(self.send(rpc(im.CMD_INFO)), im.CMD_INFO)[0]
        self.assertEqual(info[0], 'Microdot kit')
        self.assertEqual(info[3], 'lamp')
        self.assertGreaterEqual(len(info), 4)

    def test_scan(self):
        found = results(self.send(rpc(im.CMD_SCAN)), im.CMD_SCAN)
        self.assertEqual(found, [['home', '-40', 'YES'], ['cafe', '-60', 'NO'],
                                 ['weak', '-90', 'YES'], []])

    def test_provision(self):
        # the example from the protocol's description
        data = b'\x0cMyWirelessAP\x10mysecurepassword'
        out = self.send(rpc(im.CMD_WIFI, data))
        self.assertEqual(states(out), [im.STATE_PROVISIONING,
                                       im.STATE_PROVISIONED])
        self.assertEqual(results(out, im.CMD_WIFI), [['http://10.0.0.42/']])
        self.assertEqual(self.joined, ['10.0.0.42'])
        self.assertEqual(self.saved[0]['ssid'], 'MyWirelessAP')
        self.assertEqual(self.cfg['password'], 'mysecurepassword')
        # asked again: provisioned, with the URL
        out = self.send(rpc(im.CMD_STATE))
        self.assertEqual(states(out)[-1], im.STATE_PROVISIONED)
        self.assertEqual(results(out, im.CMD_STATE)[-1], ['http://10.0.0.42/'])

    def test_provision_fails(self):
        self.net.status = FakeNetwork.STAT_WRONG_PASSWORD
        out = self.send(rpc(im.CMD_WIFI, b'\x0cMyWirelessAP\x03bad'))
        self.assertEqual(states(out), [im.STATE_PROVISIONING, im.STATE_READY])
        self.assertEqual(errors(out), [im.ERROR_NONE, im.ERROR_CONNECT])
        self.assertEqual(self.joined, [])
        self.assertEqual(self.wifi.last_error, 'MyWirelessAP: wrong password')

    def test_bad_requests(self):
        out = self.send(rpc(im.CMD_WIFI, b'\x09short') +   # runs past
                        rpc(0x42) +                        # unknown
                        im.packet(im.TYPE_RPC, b'\x02\x05') +  # bad length
                        rpc(im.CMD_WIFI, b'\x21' + b'x' * 33 + b'\x00'))
        self.assertEqual(errors(out), [im.ERROR_NONE, im.ERROR_INVALID,
                                       im.ERROR_NONE, im.ERROR_UNKNOWN_RPC,
                                       im.ERROR_INVALID,
                                       im.ERROR_NONE, im.ERROR_INVALID])
        self.assertEqual(self.saved, [])
        p = bytearray(rpc(im.CMD_STATE))
        p[-2] ^= 1  # the checksum
        self.assertEqual(errors(self.send(bytes(p)))[-1], im.ERROR_INVALID)

    def test_hostname(self):
        out = self.send(rpc(im.CMD_HOSTNAME))
        self.assertEqual(results(out, im.CMD_HOSTNAME), [['lamp']])
        out = self.send(rpc(im.CMD_HOSTNAME, b'desk-lamp'))
        self.assertEqual(results(out, im.CMD_HOSTNAME)[-1], ['desk-lamp'])
        self.assertEqual(self.saved[-1]['hostname'], 'desk-lamp')
        out = self.send(rpc(im.CMD_HOSTNAME, b'no way'))
        self.assertEqual(errors(out)[-1], im.ERROR_HOSTNAME)
        self.assertEqual(self.cfg['hostname'], 'desk-lamp')

    def test_ctrl_c_outside_a_packet_stops(self):
        # 0x03 inside a packet (the RPC type byte) is data...
        out = self.send(rpc(im.CMD_STATE))
        self.assertEqual(states(out), [im.STATE_READY])
        # ...a lone one is Ctrl-C
        with self.assertRaises(KeyboardInterrupt):
            self.send(b'\x03')


if __name__ == '__main__':
    unittest.main()
