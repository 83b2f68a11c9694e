"""The app the real-client tests (test_realtime_clients.py) talk to, on
CPython or the MicroPython unix port: ``realtime_app.py PORT``."""
import sys

from microdot import Microdot
from microdot.sse import with_sse
from microdot.websocket import with_websocket

app = Microdot()


@app.route('/echo')
@with_websocket(subprotocols=['chat.v2', 'chat.v1'])
async def echo(request, ws):
    while True:
        await ws.send(await ws.receive())


@app.route('/close/<int:code>')
@with_websocket
async def close(request, ws, code):
    await ws.send('closing ' + await ws.receive())
    await ws.close(code, 'as asked')


@app.route('/sse/<int:n>')
@with_sse
async def sse(request, sse, n):
    for i in range(n):
        await sse.send({'i': i}, event='tick', event_id=i)
    await sse.send('multi\nline')


if __name__ == '__main__':
    app.run(host='127.0.0.1', port=int(sys.argv[1]))
