"""Hello world, a streamed reply and an upload, on any server.

The same file serves on a board or with the framework's own server
(``python app.py``), under an ASGI server (``uvicorn asgi:app``, see
asgi.py) and under a WSGI server (``gunicorn wsgi:app``, see wsgi.py).
"""
from microdot import Microdot

app = Microdot()


@app.route('/')
async def index(request):
    return 'Hello, world!'


@app.route('/api/hello/<name>')
async def hello(request, name):
    return {'hello': name, 'scheme': request.scheme}


@app.route('/count/<int:n>')
async def count(request, n):
    # a streamed reply: one piece per line, sent as it is made
    def lines():
        for i in range(n):
            yield '%d\n' % i
    return lines(), {'Content-Type': 'text/plain; charset=UTF-8'}


@app.post('/upload')
async def upload(request):
    # a large body is read as a stream, a piece at a time
    size = 0
    while True:
        data = await request.stream.read(4096)
        if not data:
            break
        size += len(data)
    return {'received': size}


if __name__ == '__main__':
    app.run(port=5000, debug=True)
