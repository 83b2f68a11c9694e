"""The demo app: a small device dashboard with a JSON API.

Runs unchanged on CPython, the MicroPython unix port and a board:

    from app import app
    app.run(port=5000)
"""
import gc
import sys
import time

from microdot import Microdot, Response

app = Microdot()


if hasattr(time, 'ticks_ms'):  # MicroPython (time.time() is not on every port)
    _started = time.ticks_ms()

    def _uptime():
        return time.ticks_diff(time.ticks_ms(), _started) // 1000
else:
    _started = time.monotonic()

    def _uptime():
        return int(time.monotonic() - _started)
_counter = {'value': 0}

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Microdot kit demo</title></head>
<body><h1>Hello from %s!</h1>
<p>Counter: <b id="n">%d</b> <button onclick="bump()">+1</button></p>
<pre id="status"></pre>
<script>
async function bump() {
  const r = await fetch('/api/counter', {method: 'POST'});
  document.getElementById('n').textContent = (await r.json()).value;
}
fetch('/api/status').then(r => r.json()).then(s =>
  document.getElementById('status').textContent = JSON.stringify(s, null, 2));
</script></body></html>
"""


@app.get('/')
async def index(request):
    return PAGE % (sys.implementation.name, _counter['value']), \
        {'Content-Type': 'text/html; charset=UTF-8'}


@app.get('/api/status')
async def status(request):
    info = {'runtime': sys.implementation.name,
            'platform': sys.platform,
            'uptime_s': _uptime()}
    if hasattr(gc, 'mem_free'):
        gc.collect()
        info['heap_free'] = gc.mem_free()
        info['heap_used'] = gc.mem_alloc()
    return info


@app.get('/api/counter')
async def get_counter(request):
    return _counter


@app.post('/api/counter')
async def bump_counter(request):
    step = 1
    if request.json is not None:
        step = request.json.get('step', 1)
        if not isinstance(step, int):
            return {'error': 'step must be an integer'}, 400
    _counter['value'] += step
    return _counter


@app.get('/hello/<name>')
async def hello(request, name):
    return 'Hello, %s!\n' % name


@app.errorhandler(404)
async def not_found(request):
    return Response({'error': 'not found', 'path': request.path}, 404)


if __name__ == '__main__':
    app.run(port=5000, debug=True)
