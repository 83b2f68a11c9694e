"""A device dashboard: sensor values through a template, and file uploads.

Runs unchanged on CPython, the MicroPython unix port and a board:

    from app import app
    app.run(port=5000)

``GET /`` renders ``templates/index.html`` (compiled ahead of time by
``tools/compile_templates.py`` and frozen into the image; compiled on the
device if not). ``POST /upload`` streams the form's file to ``UPLOAD_DIR``
with a fixed heap, whatever its size (up to ``MAX_UPLOAD``); a failed or
refused upload leaves nothing behind. ``GET /api/files`` and
``GET /api/sensors`` give the same data as JSON.
"""
import gc
import os
import sys
import time

from microdot import Microdot, Request, Response
from microdot.multipart import FormDataIter, FileUpload, safe_filename
from microdot.utemplate import Template

#: where uploads are stored (created on first use)
UPLOAD_DIR = 'uploads'
#: largest accepted upload body, in bytes
MAX_UPLOAD = 2 * 1024 * 1024
#: most files kept in UPLOAD_DIR
MAX_FILES = 20

_HERE = __file__.rpartition('/')[0] or '.'
Template.initialize(_HERE + '/templates')
Request.max_content_length = MAX_UPLOAD

app = Microdot()

if hasattr(time, 'ticks_ms'):
    _started = time.ticks_ms()

    def _uptime():
        return time.ticks_diff(time.ticks_ms(), _started) // 1000
else:
    _started = time.monotonic()

    def _uptime():
        return int(time.monotonic() - _started)

#: live heap high-water mark of the last upload (bytes), when measured
last_upload = {'name': None, 'size': 0, 'heap_peak': None}
#: True: sample the live heap at every write of an upload (slow; for the
#: memory figures of the tests and the benchmark)
MEASURE_HEAP = False


def read_sensors():
    """The board's sensors (simulated here): (name, value, unit) rows."""
    t = _uptime()
    gc.collect()
    rows = [('temperature', 21.5 + (t % 60) / 20, 'C'),
            ('humidity', 40 + t % 7, '%'),
            ('uptime', t, 's')]
    if hasattr(gc, 'mem_free'):
        rows.append(('free heap', gc.mem_free(), 'B'))
    return rows


def list_files():
    """(name, size) of the uploaded files, sorted by name."""
    try:
        names = sorted(os.listdir(UPLOAD_DIR))
    except OSError:
        return []
    out = []
    for name in names:
        if not name.startswith('.'):
            out.append((name, os.stat(UPLOAD_DIR + '/' + name)[6]))
    return out


def _html(body, status=200):
    return body, status, {'Content-Type': 'text/html; charset=UTF-8'}


@app.get('/')
async def index(request):
    message = request.args.get('uploaded')
    if message:
        message = 'Uploaded ' + message
    return _html(Template('index.html').generate(
        sys.implementation.name, read_sensors(), list_files(), message,
        last_upload))


@app.get('/api/sensors')
async def sensors(request):
    return {name: value for name, value, unit in read_sensors()}


@app.get('/api/files')
async def files(request):
    return {'files': [{'name': n, 'size': s} for n, s in list_files()],
            'last_upload': last_upload}


class _HeapProbe:
    # a file wrapper that samples the live heap at every write
    def __init__(self, f):
        self.f = f
        self.peak = 0

    def write(self, data):
        n = self.f.write(data)
        data = None
        gc.collect()
        used = gc.mem_alloc() if hasattr(gc, 'mem_alloc') else 0
        if used > self.peak:
            self.peak = used
        return n


def _remove(path):
    try:
        os.remove(path)
    except OSError:
        pass


@app.post('/upload')
async def upload(request):
    try:
        os.mkdir(UPLOAD_DIR)
    except OSError:
        pass
    saved = []
    try:
        async for name, value in FormDataIter(request):
            if not isinstance(value, FileUpload):
                continue  # the form has no other fields worth keeping
            if name != 'file':
                await value.close()
                continue
            raw = value.filename
            safe = safe_filename(raw)
            if not raw:
                return 'No file chosen', 400
            if safe is None or safe != raw:
                # never a path: refuse names that would need changing
                return 'Invalid file name %r: use letters, digits and ' \
                    '".-_+ " only' % raw, 400
            if len(list_files()) >= MAX_FILES and \
                    safe not in [n for n, s in list_files()]:
                return 'Too many files stored (%d)' % MAX_FILES, 507
            # written under a temporary name, renamed once complete: a
            # failed upload never replaces nor leaves a file
            part = UPLOAD_DIR + '/.part-' + safe
            saved.append(part)
            f = open(part, 'wb')
            probe = _HeapProbe(f) if MEASURE_HEAP else None
            try:
                size = await value.save(probe or f)
            finally:
                f.close()
            final = UPLOAD_DIR + '/' + safe
            _remove(final)
            os.rename(part, final)
            saved[-1] = final
            last_upload['name'] = safe
            last_upload['size'] = size
            last_upload['heap_peak'] = probe.peak if probe else None
    except BaseException:
        for path in saved:
            _remove(path)
        raise
    for path in saved:
        if '/.part-' in path:
            _remove(path)
    if not saved:
        return 'No file in the form', 400
    return Response.redirect('/?uploaded=' + last_upload['name'], 303)


@app.get('/files/<name>')
async def download(request, name):
    if safe_filename(name) != name:
        return 'Not found', 404
    try:
        os.stat(UPLOAD_DIR + '/' + name)
    except OSError:
        return 'Not found', 404
    return Response.send_file(UPLOAD_DIR + '/' + name,
                              content_type='application/octet-stream')


if __name__ == '__main__':
    # python app.py [port [upload_dir [measure]]]
    if len(sys.argv) > 2:
        UPLOAD_DIR = sys.argv[2]
    if len(sys.argv) > 3:
        MEASURE_HEAP = sys.argv[3] == 'measure'
    app.run(port=int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
