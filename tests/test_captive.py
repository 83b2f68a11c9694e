"""The captive portal: the catch-all DNS server (firmware/kitdns.py) on
bytes and on a real UDP socket, and the setup app's redirects of the
operating systems' connectivity checks and of foreign hosts
(firmware/kitsetup.py), with a fake `network` module."""
import asyncio
import unittest

from boot_fakes import kitconfig, kitsetup, kitwifi, Client, FakeClock, \
    FakeNetwork, _run, settle

import kitdns

try:
    import socket
except ImportError:
    socket = None

IP = '192.168.4.1'


def query(name, qtype=1, qid=0x1234, flags=0x01, qdcount=1):
    data = bytes([qid >> 8, qid & 255, flags, 0, 0, qdcount, 0, 0, 0, 0,
                  0, 0])
    for label in name.split('.'):
        data += bytes([len(label)]) + label.encode()
    return data + bytes([0, 0, qtype, 0, 1])


def rcode(reply):
    return reply[3] & 0x0f


def ancount(reply):
    return reply[6] << 8 | reply[7]


class AnswerTest(unittest.TestCase):
    def test_a_record(self):
        q = query('connectivitycheck.gstatic.com')
        reply = kitdns.answer(q, IP)
        self.assertEqual(reply[:2], b'\x12\x34')  # the query's ID
        self.assertEqual(reply[2] & 0x80, 0x80)  # a response
        self.assertEqual(reply[2] & 0x01, 0x01)  # RD copied
        self.assertEqual((rcode(reply), ancount(reply)), (0, 1))
        self.assertEqual(reply[12:len(q)], q[12:])  # the question echoed
        answer = reply[len(q):]
        self.assertEqual(answer[:4], b'\xc0\x0c\x00\x01')  # name ptr, type A
        self.assertEqual(answer[-4:], bytes([192, 168, 4, 1]))
        self.assertEqual(kitdns.question_name(q),
                         'connectivitycheck.gstatic.com')

    def test_other_types_get_no_records(self):
        reply = kitdns.answer(query('captive.apple.com', qtype=28), IP)
        self.assertEqual((rcode(reply), ancount(reply)), (0, 0))
        reply = kitdns.answer(query('x', qtype=255), IP)  # ANY: the A record
        self.assertEqual(ancount(reply), 1)

    def test_malformed_queries(self):
        self.assertIsNone(kitdns.answer(b'\x00' * 11, IP))
        self.assertIsNone(kitdns.answer(query('a', flags=0x81), IP))  # reply
        self.assertEqual(rcode(kitdns.answer(query('a', qdcount=2), IP)), 1)
        self.assertEqual(rcode(kitdns.answer(query('abc')[:-3], IP)), 1)
        # a compression pointer or an over-long label in the question
        bad = query('a')[:12] + b'\xc0\x0c\x00\x01\x00\x01'
        self.assertEqual(rcode(kitdns.answer(bad, IP)), 1)
        long_name = query('a')[:12] + b'\x50' + b'a' * 80 + b'\x00\x00\x01' \
            b'\x00\x01'
        self.assertEqual(rcode(kitdns.answer(long_name, IP)), 1)
        self.assertEqual(rcode(kitdns.answer(query('a', flags=0x10), IP)),
                         4)  # opcode 2 (status): not implemented
        with self.assertRaises(ValueError):
            kitdns.DNSServer('300.1.1.1')


class DNSSocketTest(unittest.TestCase):
    def test_answers_on_udp(self):
        if socket is None:
            self.skipTest('no sockets on this port')
        names = []
        server = None
        for port in range(25353, 25453, 7):
            try:
                server = kitdns.DNSServer(IP, port, '127.0.0.1',
                                          log=names.append).open()
                break
            except OSError:
                pass
        client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        client.setblocking(False)
        addr = socket.getaddrinfo('127.0.0.1', server.port)[0][-1]

        async def ask(q):
            client.sendto(q, addr)
            for _ in range(200):
                try:
                    return client.recvfrom(512)[0]
                except OSError:
                    await asyncio.sleep(0.01)
            raise AssertionError('no DNS reply')

        async def main():
            task = asyncio.create_task(server.serve())
            client.sendto(b'junk', addr)  # dropped, the server goes on
            first = await ask(query('example.com', qid=7))
            second = await ask(query('www.msftconnecttest.com', qid=8))
            server.close()
            await asyncio.wait_for(task, 2)
            return first, second
        try:
            first, second = _run(main())
        finally:
            client.close()
        self.assertEqual(first[:2], b'\x00\x07')
        self.assertEqual(first[-4:], bytes([192, 168, 4, 1]))
        self.assertEqual(second[:2], b'\x00\x08')
        self.assertEqual(server.queries, 2)
        self.assertIn('dns: example.com -> 192.168.4.1', names)
        self.assertIsNone(server.sock)


class PortalTest(unittest.TestCase):
    def setUp(self):
        self.net = FakeNetwork(accept=('home', 'secret12'))
        self.cfg = kitconfig.validate_config({'hostname': 'lamp'})
        self.wifi = kitwifi.Wifi(self.net, self.cfg,
                                 ticks_ms=FakeClock().ticks_ms,
                                 sleep_ms=FakeClock().asleep_ms)
        self.wifi.start_ap()
        self.saved = []

        def save(cfg):
            self.saved.append(cfg)
            return True
        self.app = kitsetup.create_app(self.wifi, self.cfg, self.wifi.scan(),
                                       save, linger=0, max_connections=3)

    def get(self, path, host=IP, method='GET'):
        client = Client(self.app, host=host)
        return _run(client.request(method, path))

    def test_connectivity_checks_redirect(self):
        for host, path in (('connectivitycheck.gstatic.com', '/generate_204'),
                           ('clients3.google.com', '/generate_204'),
                           ('www.google.com', '/gen_204'),
                           ('captive.apple.com', '/hotspot-detect.html'),
                           ('www.apple.com', '/library/test/success.html'),
                           ('www.msftconnecttest.com', '/connecttest.txt'),
                           ('www.msftncsi.com', '/ncsi.txt'),
                           ('detectportal.firefox.com', '/success.txt'),
                           (IP, '/generate_204'), (IP, '/hotspot-detect.html'),
                           ('example.com', '/'), ('example.com', '/status')):
            res = self.get(path, host)
            self.assertEqual(res.status_code, 302, host + path)
            self.assertEqual(res.headers['Location'], 'http://192.168.4.1/')
            self.assertEqual(res.headers['Cache-Control'], 'no-store')

    def test_own_names_are_served(self):
        for host in (IP, IP + ':80', 'lamp.local', 'LAMP', 'localhost:8080'):
            self.assertEqual(self.get('/', host).status_code, 200, host)
        self.assertEqual(self.get('/elsewhere').status_code, 302)
        self.assertEqual(self.get('/', '[::1]').status_code, 302)

    def test_page_lists_networks_with_signal(self):
        text = self.get('/').text
        self.assertLess(text.index('value="home"'), text.index('value="cafe"'))
        self.assertLess(text.index('value="cafe"'), text.index('value="weak"'))
        self.assertIn('-40 dBm', text)
        self.assertIn('-90 dBm', text)
        self.assertEqual(text.count('>open<'), 1)  # cafe
        self.assertEqual(text.count('type="radio"'), 4)  # 3 + "Other"

    def test_evil_ssid_is_escaped(self):
        page = kitsetup.form_page(self.cfg, [('<img src=x>', -50, False)])
        self.assertNotIn('<img', page)
        self.assertIn('&lt;img src=x&gt;', page)

    def test_status_json(self):
        res = self.get('/status')
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.json['state'], 'setup')
        self.assertEqual(res.json['ap'], 'Microdot-ABCD')
        self.assertIsNone(res.json['outcome'])
        self.assertEqual(self.app.max_connections, 3)

    def test_submit_joins_and_status_follows(self):
        client = Client(self.app, host=IP)
        form = {'Content-Type': 'application/x-www-form-urlencoded'}

        async def flow():
            res = await client.post('/', headers=form,
                                    body='ssid=home&password=secret12')
            trying = await client.get('/')
            again = await client.post('/', headers=form, body='ssid=x')
            await settle(self.wifi)
            return res, trying, again, await client.get('/status')
        res, trying, again, status = _run(flow())
        self.assertEqual(res.status_code, 303)
        self.assertIn('Joining <b>home</b>', trying.text)
        self.assertIn('http-equiv="refresh"', trying.text)
        self.assertEqual(again.status_code, 303)  # one join at a time
        self.assertEqual(len(self.saved), 1)
        self.assertEqual(self.saved[0]['ssid'], 'home')
        self.assertEqual(status.json['state'], 'connected')
        self.assertEqual(status.json['ip'], '10.0.0.42')
        self.assertEqual(self.app.kit_outcome, 'joined')

    def test_save_failure_is_reported(self):
        app = kitsetup.create_app(self.wifi, self.cfg, [], lambda c: False)
        res = _run(Client(app, host=IP).post(
            '/', headers={'Content-Type': 'application/x-www-form-urlencoded'},
            body='ssid=home'))
        self.assertEqual(res.status_code, 500)
        self.assertIn('Could not write', res.text)
        self.assertEqual(self.net.WLAN(self.net.STA_IF).connects, [])


if __name__ == '__main__':
    unittest.main()
