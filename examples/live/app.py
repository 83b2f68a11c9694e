"""Live values pushed to every open tab, over WebSocket and over SSE.

A timer task publishes a reading (the way a sensor would) once a second on
the ``reading`` topic; each page subscribes twice, once per transport.
Runs unchanged on CPython, the MicroPython unix port and a board:

    python app.py [PORT]          # or: micropython app.py [PORT]

then open http://localhost:5000/ in a few tabs.
"""
import asyncio
import sys

from microdot import Microdot
from microdot import pubsub
from microdot.sse import with_sse
from microdot.websocket import with_websocket

app = Microdot()

#: seconds between readings
INTERVAL = 1.0
state = {'n': 0, 'value': None, 'timer': None}


def read_sensor(n):
    """A stand-in for a real sensor: a slow saw tooth between 20 and 25."""
    return 20 + (n % 11) * 0.5


async def publisher():
    while True:
        state['n'] += 1
        state['value'] = read_sensor(state['n'])
        await pubsub.publish('reading', {'n': state['n'],
                                         'value': state['value']})
        await asyncio.sleep(INTERVAL)


def start_timer():
    """Start the publishing task (once; on the first subscriber)."""
    if state['timer'] is None:
        state['timer'] = asyncio.create_task(publisher())


PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Live readings</title>
<style>body{font-family:sans-serif;margin:2em} b{font-size:2em}</style>
</head><body><h1>Live readings</h1>
<p>WebSocket: <b id="ws">-</b> <small id="ws-n"></small></p>
<p>Server-Sent Events: <b id="sse">-</b> <small id="sse-n"></small></p>
<script>
function show(kind, msg) {
  const r = JSON.parse(msg);
  document.getElementById(kind).textContent = r.value;
  document.getElementById(kind + '-n').textContent = '#' + r.n;
}
const ws = new WebSocket((location.protocol == 'https:' ? 'wss://' : 'ws://')
                         + location.host + '/ws');
ws.onmessage = e => show('ws', e.data);
const es = new EventSource('/events');
es.addEventListener('reading', e => show('sse', e.data));
</script></body></html>
"""


@app.get('/')
async def index(request):
    return PAGE, {'Content-Type': 'text/html; charset=UTF-8'}


@app.get('/api/reading')
async def reading(request):
    return {'n': state['n'], 'value': state['value']}


@app.route('/ws')
@with_websocket(ping_interval=20)
async def ws(request, ws):
    pubsub.subscribe(ws, 'reading')
    start_timer()
    while True:
        await ws.receive()  # ends (WebSocketError) when the tab closes


@app.route('/events')
@with_sse(keepalive=15)
async def events(request, sse):
    pubsub.subscribe(sse, 'reading')
    start_timer()
    while True:
        await asyncio.sleep(3600)  # cancelled when the tab closes


if __name__ == '__main__':
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    app.run(port=port, debug=True)
