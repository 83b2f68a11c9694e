"""Real HTTP clients against a server running on the device
(`pytest --device unix|PORT`): requests, httpx, raw keep-alive sockets,
large bodies both ways, and the server staying up after bad clients."""
import json
import os
import socket
import time
from urllib.parse import urlsplit

import httpx
import pytest
import requests


def _addr(url):
    parts = urlsplit(url)
    return parts.hostname, parts.port


class Raw:
    """A bare HTTP/1.1 connection, to see exactly what goes over the wire."""

    def __init__(self, url, timeout=10):
        self.sock = socket.create_connection(_addr(url), timeout=timeout)
        self.buf = b''

    def send(self, data):
        self.sock.sendall(data)

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError('connection closed by the server')
        self.buf += data

    def response(self):
        """(status, headers dict with lower-case names, body)."""
        while b'\r\n\r\n' not in self.buf:
            self._fill()
        head, self.buf = self.buf.split(b'\r\n\r\n', 1)
        lines = head.decode('latin-1').split('\r\n')
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(':')
            headers[name.strip().lower()] = value.strip()
        if headers.get('transfer-encoding', '').lower() == 'chunked':
            body = b''
            while True:
                while b'\r\n' not in self.buf:
                    self._fill()
                size_line, self.buf = self.buf.split(b'\r\n', 1)
                size = int(size_line.split(b';')[0], 16)
                while len(self.buf) < size + 2:
                    self._fill()
                body += self.buf[:size]
                self.buf = self.buf[size + 2:]
                if size == 0:
                    break
        else:
            length = int(headers.get('content-length', 0))
            while len(self.buf) < length:
                self._fill()
            body, self.buf = self.buf[:length], self.buf[length:]
        return status, headers, body

    def closed_by_server(self, wait=5):
        self.sock.settimeout(wait)
        try:
            return self.sock.recv(1) == b''
        except (ConnectionResetError, socket.timeout):
            return False

    def close(self):
        self.sock.close()


def get(path, extra=''):
    return ('GET %s HTTP/1.1\r\nHost: device\r\n%s\r\n' % (
        path, extra)).encode()


def test_requests_get(live_server):
    res = requests.get(live_server + '/', timeout=10)
    assert res.status_code == 200
    assert res.text.startswith('hello from ')
    assert res.headers['Content-Type'].startswith('text/plain')


def test_requests_session_reuses_the_connection(live_server):
    with requests.Session() as session:
        for i in range(10):
            res = session.post(live_server + '/json', json={'i': i},
                               timeout=10)
            assert res.json() == {'got': {'i': i}}


def test_httpx_client(live_server):
    with httpx.Client(base_url=live_server, timeout=10) as client:
        assert client.get('/').status_code == 200
        res = client.post('/json', json={'a': [1, 2, 'x']})
        assert res.json() == {'got': {'a': [1, 2, 'x']}}
        assert client.get('/nowhere').status_code == 404


def test_keep_alive_many_requests_one_connection(live_server):
    conn = Raw(live_server)
    try:
        for i in range(5):
            conn.send(get('/'))
            status, headers, body = conn.response()
            assert status == 200
            assert headers.get('connection', '').lower() != 'close'
            assert body.startswith(b'hello from ')
        conn.send(get('/', 'Connection: close\r\n'))
        status, _, _ = conn.response()
        assert status == 200
        assert conn.closed_by_server()
    finally:
        conn.close()


def test_pipelined_requests(live_server):
    conn = Raw(live_server)
    try:
        conn.send(get('/') + get('/nowhere') + get('/'))
        assert [conn.response()[0] for _ in range(3)] == [200, 404, 200]
    finally:
        conn.close()


def test_http10_closes(live_server):
    conn = Raw(live_server)
    try:
        conn.send(b'GET / HTTP/1.0\r\n\r\n')
        assert conn.response()[0] == 200
        assert conn.closed_by_server()
    finally:
        conn.close()


def test_body_up_to_max_body_length_echoed(live_server):
    data = os.urandom(16 * 1024)
    res = requests.post(live_server + '/echo', data=data, timeout=30)
    assert res.status_code == 200
    assert res.content == data


def test_big_upload_read_as_a_stream(live_server):
    data = os.urandom(200 * 1024)
    res = requests.post(live_server + '/count', data=data, timeout=60)
    assert res.json() == {'length': len(data), 'check': sum(data) & 0xffff}


def test_big_streamed_response(live_server):
    res = requests.get(live_server + '/big/256', timeout=60)
    assert res.status_code == 200
    assert len(res.content) == 256 * 1024
    assert res.content == b'0123456789abcdef' * 64 * 256


def test_too_large_is_413_and_server_goes_on(live_server):
    conn = Raw(live_server)
    try:
        conn.send(b'POST /echo HTTP/1.1\r\nHost: d\r\n'
                  b'Content-Length: 5000000\r\n\r\n')
        assert conn.response()[0] == 413
    finally:
        conn.close()
    assert requests.get(live_server + '/', timeout=10).status_code == 200


def test_client_vanishing_mid_request_does_not_hurt(live_server):
    for partial in (b'GET / HT', b'POST /echo HTTP/1.1\r\nContent-Length: '
                    b'100\r\n\r\nabc'):
        conn = Raw(live_server)
        conn.send(partial)
        conn.close()
    time.sleep(0.2)
    assert requests.get(live_server + '/', timeout=10).status_code == 200


def test_malformed_request_line_is_400(live_server):
    conn = Raw(live_server)
    try:
        conn.send(b'NONSENSE\r\n\r\n')
        assert conn.response()[0] == 400
    finally:
        conn.close()
    assert requests.get(live_server + '/', timeout=10).status_code == 200
