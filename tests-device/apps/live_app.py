"""The app the live-device tests (tests-device/test_live_http.py) talk to.
It runs on the device: the unix port, the virtual board, or a real board on
Wi-Fi. main(port) prints '@@live ADDRESS PORT' once it knows its address
(or '@@live none' without a network), then serves until shut down."""
import sys

from microdot import Microdot, Request

# Room for the streamed-upload test; bodies over max_body_length (16 KB)
# stay on the connection and are read through request.stream.
Request.max_content_length = 1024 * 1024

app = Microdot()
CHUNK = b'0123456789abcdef' * 64  # 1 KB


@app.route('/')
async def index(request):
    return 'hello from %s' % sys.implementation.name


@app.route('/echo', methods=['POST'])
async def echo(request):
    return request.body, 200, {'Content-Type': 'application/octet-stream'}


@app.route('/json', methods=['POST'])
async def echo_json(request):
    return {'got': request.json}


@app.route('/count', methods=['POST'])
async def count(request):
    """Read a big body in pieces; answer its length and a checksum."""
    total = check = 0
    if request.stream is None:
        data = request.body
        total, check = len(data), sum(data) & 0xffff
    else:
        while True:
            data = await request.stream.read(1024)
            if not data:
                break
            total += len(data)
            check = (check + sum(data)) & 0xffff
    return {'length': total, 'check': check}


class Chunks:
    """An async iterator (MicroPython has no async generators) yielding n
    KB, so a big response never sits in RAM whole."""

    def __init__(self, n):
        self.n = n

    def __aiter__(self):
        return self

    async def __anext__(self):
        if self.n <= 0:
            raise StopAsyncIteration
        self.n -= 1
        return CHUNK


@app.route('/big/<int:kb>')
async def big(request, kb):
    return Chunks(kb), 200, {'Content-Type': 'application/octet-stream'}


@app.route('/shutdown', methods=['POST'])
async def shutdown(request):
    request.app.shutdown()
    return 'bye'


def address():
    """This device's address as seen from the host, or None."""
    if sys.platform == 'linux':  # the unix port runs on the host itself
        return '127.0.0.1'
    try:
        import network
        wlan = network.WLAN(network.STA_IF)
        if wlan.isconnected():
            return wlan.ifconfig()[0]
    except (ImportError, AttributeError, OSError):
        pass
    return None


def main(port):
    where = address()
    if where is None:
        print('@@live none')
        return
    print('@@live %s %d' % (where, port))
    app.run(host='0.0.0.0', port=port)
    print('@@live stopped')
