"""Multipart forms (``multipart/form-data``) and file uploads, streamed.

    from microdot.multipart import with_form_data, FormDataIter

    @app.post('/upload')
    @with_form_data
    async def upload(request):
        request.form['title'], request.files['file'].filename

    @app.post('/big')
    async def big(request):
        async for name, value in FormDataIter(request):
            if isinstance(value, FileUpload):
                await value.save('/data/' + safe_filename(value.filename))

The body is read from ``request.stream`` a ``buffer_size`` piece at a time,
part by part: the heap used does not grow with the size of an upload. Bodies
over ``Request.max_content_length`` are refused by the core (413) before
this module sees them; raise it for large uploads. Bad input ends the
request with a 400 (malformed) or 413 (over a limit) and a reason, and no
partial file is left behind by :meth:`FileUpload.save` or
:meth:`FileUpload.copy`.
"""
import os

from . import HTTPException
from .helpers import invoke_handler, MICROPYTHON


class FormDataIter:
    """An async iterator of the ``(name, value)`` fields of a multipart form.

    ``value`` is a ``str`` for plain fields and a :class:`FileUpload` for
    files; a file must be read (or saved or copied) before the next
    iteration step, which discards what is left of it. A bad body raises
    HTTPException 400 or 413 while iterating; a file the application saved
    before a later part failed is complete, and the application's to keep
    or remove. Limits are the class attributes below (set them on the
    class, or on an instance before iterating).
    """

    #: bytes read from the body stream at a time (1024: past the
    #: connection reader's own 512-byte chunk, reads go straight to the
    #: socket, 2-3x the throughput of 512 for ~100 more bytes of heap)
    buffer_size = 1024
    #: most parts in a form (413 past it)
    max_parts = 32
    #: largest headers block of one part, in bytes (413 past it)
    max_part_headers = 1024
    #: largest plain (non-file) field value, in bytes (413 past it)
    max_field_size = 8 * 1024
    #: largest file part in bytes, None for only the body limit (413 past it)
    max_file_size = None

    def __init__(self, request):
        ctype = request.content_type or ''
        mime, _, params = ctype.partition(';')
        if mime.strip().lower() != 'multipart/form-data':
            raise HTTPException(400, 'Expected a multipart/form-data body')
        boundary = _param(params, 'boundary')
        if not boundary or len(boundary) > 70 or \
                not _ascii_printable(boundary):
            raise HTTPException(400, 'Missing or invalid multipart boundary')
        self.stream = request.stream
        # the body starts with '--boundary': a CRLF in front of the buffer
        # makes every delimiter, the first one too, CRLF '--' boundary
        self.delim = b'\r\n--' + boundary.encode()
        self.buf = b'\r\n'
        self.eof = False
        self.started = False    # the first delimiter has been seen
        self.done = False       # the closing delimiter has been seen
        self.in_part = False    # a file part's data is being read
        self.part_read = 0
        self.parts = 0
        self.current = None

    def __aiter__(self):
        return self

    async def __anext__(self):
        if self.in_part:  # discard what the application left of a file
            while await self._read_part(self.buffer_size):
                pass
        if self.current is not None:
            self.current._iter = None
            self.current = None
        if not self.started:
            await self._skip_preamble()
        if self.done:
            raise StopAsyncIteration
        self.parts += 1
        if self.parts > self.max_parts:
            raise HTTPException(413, 'Too many parts in the form')
        name, filename, content_type = await self._read_headers()
        self.in_part = True
        self.part_read = 0
        if filename is None:
            value = b''
            while True:
                data = await self._read_part(self.buffer_size)
                if not data:
                    break
                value += data
                if len(value) > self.max_field_size:
                    raise HTTPException(413, 'Form field too large')
            try:
                return name, value.decode()
            except UnicodeError:
                raise HTTPException(400, 'Form field is not UTF-8')
        self.current = FileUpload(filename, content_type, self, name)
        return name, self.current

    async def _fill(self):
        if self.eof:
            return False
        try:
            data = await self.stream.read(self.buffer_size)
        except EOFError:
            data = b''
        if not data:
            self.eof = True
            return False
        self.buf = self.buf + data if self.buf else data
        return True

    async def _skip_preamble(self):
        # bytes before the first delimiter are a preamble, ignored (and
        # bounded: a body without the boundary in it is not a form)
        skipped = 0
        delim = self.delim
        while True:
            i = self.buf.find(delim)
            if i >= 0:
                self.buf = self.buf[i + len(delim):]
                break
            keep = len(delim) - 1
            skipped += max(0, len(self.buf) - keep)
            if skipped > self.max_part_headers:
                raise HTTPException(400, 'Multipart boundary not found')
            self.buf = self.buf[-keep:]
            if not await self._fill():
                raise HTTPException(400, 'Multipart boundary not found')
        self.started = True
        await self._after_delimiter()

    async def _after_delimiter(self):
        # a delimiter is followed by '--' (the end) or a line end (a part);
        # RFC 2046 allows spaces or tabs in between
        while True:
            buf = self.buf.lstrip(b' \t') if not self.buf.startswith(b'--') \
                else self.buf
            if len(buf) >= 2 or self.eof:
                break
            if not await self._fill():
                break
        if buf.startswith(b'--'):
            self.done = True
            self.buf = b''  # the epilogue is ignored
        elif buf.startswith(b'\r\n'):
            self.buf = buf[2:]
        elif buf.startswith(b'\n'):
            self.buf = buf[1:]
        elif not buf:
            raise HTTPException(400, 'Unterminated multipart body (expected '
                                     'a closing boundary)')
        else:
            raise HTTPException(400, 'Malformed multipart boundary line')

    async def _read_line(self, limit):
        while True:
            i = self.buf.find(b'\n')
            if i >= 0:
                if i > limit:
                    break
                line = self.buf[:i]
                self.buf = self.buf[i + 1:]
                return line[:-1] if line.endswith(b'\r') else line
            if len(self.buf) > limit:
                break
            if not await self._fill():
                raise HTTPException(400, 'Truncated multipart body (part '
                                         'headers cut short)')
        raise HTTPException(413, 'Part headers too large')

    async def _read_headers(self):
        left = self.max_part_headers
        disposition = None
        content_type = None
        while True:
            line = await self._read_line(left)
            left -= len(line) + 2
            if not line:
                break
            if left < 0:
                raise HTTPException(413, 'Part headers too large')
            try:
                line = line.decode()
            except UnicodeError:
                raise HTTPException(400, 'Part header is not UTF-8')
            hname, sep, value = line.partition(':')
            if not sep or not hname or hname.strip() != hname:
                raise HTTPException(400, 'Malformed part header (expected a '
                                         'blank line after the headers)')
            hname = hname.lower()
            if hname == 'content-disposition':
                disposition = value.strip()
            elif hname == 'content-type':
                content_type = value.strip()
        if disposition is None:
            raise HTTPException(400, 'Part without Content-Disposition')
        kind, _, params = disposition.partition(';')
        if kind.strip().lower() != 'form-data':
            raise HTTPException(400, 'Part is not form-data')
        name = _param(params, 'name')
        if name is None:
            raise HTTPException(400, 'Part without a name')
        filename = _param(params, 'filename*')
        if filename is not None:
            filename = _ext_value(filename)
        else:
            filename = _param(params, 'filename')
        if filename is not None:
            for c in filename:
                if c < ' ' or c == '\x7f':
                    raise HTTPException(400, 'Invalid filename (control '
                                             'character or NUL)')
        return name, filename, content_type

    async def _read_part(self, n):
        """Up to ``n`` bytes of the current part's data; b'' at its end."""
        if not self.in_part or n == 0:
            return b''
        delim = self.delim
        while True:
            buf = self.buf
            i = buf.find(delim)
            if i == 0:
                self.buf = buf[len(delim):]
                self.in_part = False
                await self._after_delimiter()
                return b''
            if i > 0:
                end = i
            else:
                # no delimiter in the buffer, but its last bytes may start
                # one: a CR there. Without one, all of it is data, handed
                # out as it came, without a copy (most pieces of a file)
                j = buf.find(b'\r', max(0, len(buf) - len(delim) + 1))
                end = len(buf) if j < 0 else j
            if end > 0:
                if end > n:
                    end = n
                if end == len(buf):
                    data = buf
                    self.buf = b''
                else:
                    data = buf[:end]
                    self.buf = buf[end:]
                self.part_read += end
                limit = self.max_file_size
                if limit is not None and self.current is not None and \
                        self.part_read > limit:
                    raise HTTPException(413, 'Uploaded file too large')
                return data
            if not await self._fill():
                raise HTTPException(400, 'Truncated multipart body (a part '
                                         'without its closing boundary)')


class FileUpload:
    """A file of a multipart form.

    ``filename`` is the name the client gave, untouched: never use it as a
    path (see :func:`safe_filename`); ``content_type`` its type (or None),
    ``name`` the form field. Read it with :meth:`read`, store it with
    :meth:`save`, or set it aside with :meth:`copy`. A file yielded by
    :class:`FormDataIter` is read from the request body and must be used
    before the next field is read.
    """

    #: bytes a :meth:`copy` keeps in memory; larger files go to a file
    max_memory_size = 1024
    #: where copies over ``max_memory_size`` are spilled. None: the
    #: system's temporary folder on CPython, ``/tmp`` where it exists on
    #: MicroPython (the unix port), else ``/upload_tmp`` on the flash
    spill_dir = None

    def __init__(self, filename, content_type, source, name=None):
        self.filename = filename
        self.content_type = content_type
        self.name = name
        self._iter = source if isinstance(source, FormDataIter) else None
        self._data = source if isinstance(source, bytes) else None
        self._pos = 0
        self._path = source if isinstance(source, str) else None
        self._file = None

    async def read(self, n=-1):
        """Read up to ``n`` bytes (the rest of the file when ``n`` < 0)."""
        if self._iter is not None:
            if n >= 0:
                return await self._iter._read_part(n)
            out = b''
            while True:
                data = await self._iter._read_part(4096)
                if not data:
                    return out
                out += data
        if self._data is not None:
            end = len(self._data) if n < 0 else self._pos + n
            data = self._data[self._pos:end]
            self._pos += len(data)
            return data
        if self._path is not None:
            if self._file is None:
                self._file = open(self._path, 'rb')
            return self._file.read() if n < 0 else self._file.read(n)
        return b''

    async def save(self, path_or_file):
        """Write the file to a path or to an open binary file.

        Streamed a buffer at a time. When given a path, a failure (a
        truncated or oversized upload, a full disk) removes the partial
        file before the error is raised. Returns the size written.
        """
        if isinstance(path_or_file, str):
            f = open(path_or_file, 'wb')
            try:
                size = await self._copy_to(f)
            except BaseException:
                f.close()
                _remove(path_or_file)
                raise
            f.close()
            return size
        return await self._copy_to(path_or_file)

    async def _copy_to(self, f):
        size = 0
        bufsize = self._iter.buffer_size if self._iter else 512
        while True:
            data = await self.read(bufsize)
            if not data:
                return size
            f.write(data)
            size += len(data)

    async def copy(self, max_memory_size=None):
        """Read the file into a new :class:`FileUpload` that outlives the
        request body: in memory up to ``max_memory_size`` bytes (default
        :attr:`max_memory_size`), in a temporary file in :attr:`spill_dir`
        past it. :meth:`close` the copy to remove its temporary file."""
        if max_memory_size is None:
            max_memory_size = self.max_memory_size
        data = b''
        while len(data) <= max_memory_size:
            chunk = await self.read(max_memory_size + 1 - len(data))
            if not chunk:
                return FileUpload(self.filename, self.content_type, data,
                                  self.name)
            data += chunk
        path = _spill_path(self.spill_dir)
        f = open(path, 'wb')
        try:
            f.write(data)
            data = None
            await self._copy_to(f)
        except BaseException:
            f.close()
            _remove(path)
            raise
        f.close()
        return FileUpload(self.filename, self.content_type, path, self.name)

    async def close(self):
        """Release the file: skip what is left of it on the request body,
        or remove the temporary file of a copy."""
        if self._iter is not None:
            while await self._iter._read_part(self._iter.buffer_size):
                pass
            self._iter = None
        self._data = None
        if self._file is not None:
            self._file.close()
            self._file = None
        if self._path is not None:
            _remove(self._path)
            self._path = None

    def __repr__(self):
        return '<FileUpload %r %r>' % (self.filename, self.content_type)


class _FormDataHandler:
    # A class rather than a closure: MicroPython functions can not take a
    # __name__, and the route's endpoint is the handler's name.
    def __init__(self, f):
        self.f = f
        self.__name__ = getattr(f, '__name__', 'handler')
        self.__doc__ = getattr(f, '__doc__', None)

    async def __call__(self, request, *args, **kwargs):
        files = []
        ctype = request.content_type
        if ctype and ctype.split(';')[0].strip().lower() == \
                'multipart/form-data':
            from .urls import MultiDict
            form = MultiDict()
            uploads = MultiDict()
            try:
                async for name, value in FormDataIter(request):
                    if isinstance(value, FileUpload):
                        value = await value.copy()
                        files.append(value)
                        uploads[name] = value
                    else:
                        form[name] = value
            except BaseException:
                await _close_all(files)
                raise
            request.form = form
            request.files = uploads
        try:
            return await invoke_handler(self.f, request, *args, **kwargs)
        finally:
            await _close_all(files)


def with_form_data(f):
    """Decorate a route handler to fill ``request.form`` (a MultiDict of
    str) and ``request.files`` (a MultiDict of :class:`FileUpload`) from a
    multipart body before it runs.

    Files are copied (see :meth:`FileUpload.copy`) and closed, their
    temporary files removed, when the handler returns. Requests that are
    not multipart (a GET, a request without a body) pass through:
    ``request.form`` is then the core's (None without a urlencoded body)
    and ``request.files`` is empty.
    """
    return _FormDataHandler(f)


def safe_filename(filename, max_length=64):
    """Return a name safe to use as one path component, or None.

    Keeps only the last component of ``filename`` (``/`` and ``\\`` both
    separate), drops control characters, NUL and leading dots, and keeps
    ASCII letters, digits and ``-_.+ ``; the result is at most ``max_length``
    characters (the extension kept). None when nothing usable remains
    (``..``, ``/``, an empty name).
    """
    if not filename:
        return None
    name = filename.replace('\\', '/').rpartition('/')[2]
    out = ''
    for c in name:
        # ASCII only: the same answer on CPython and MicroPython
        if ('a' <= c <= 'z') or ('A' <= c <= 'Z') or ('0' <= c <= '9') or \
                c in '-_.+ ':
            out += c
    out = out.strip(' ').lstrip('.')
    if not out:
        return None
    if len(out) > max_length:
        base, dot, ext = out.rpartition('.')
        if dot and len(ext) < 10:
            out = base[:max_length - len(ext) - 1] + '.' + ext
        else:
            out = out[:max_length]
    return out


def _param(params, key):
    """The value of ``key`` in ``; a=1; b="x y"`` header parameters."""
    i = 0
    n = len(params)
    while i < n:
        while i < n and params[i] in ' \t;':
            i += 1
        j = i
        while j < n and params[j] not in '=;':
            j += 1
        name = params[i:j].strip().lower()
        value = ''
        if j < n and params[j] == '=':
            j += 1
            while j < n and params[j] in ' \t':
                j += 1
            if j < n and params[j] == '"':
                j += 1
                while j < n and params[j] != '"':
                    # only \" and \\ are escapes: old browsers send
                    # Windows paths with bare backslashes
                    if params[j] == '\\' and j + 1 < n and \
                            params[j + 1] in '"\\':
                        j += 1
                    value += params[j]
                    j += 1
                j += 1
            else:
                k = j
                while j < n and params[j] != ';':
                    j += 1
                value = params[k:j].strip()
        if name == key:
            return value
        i = j
    return None


def _ext_value(value):
    # RFC 5987 filename*=UTF-8''name%20with%20spaces
    charset, _, rest = value.partition("'")
    rest = rest.partition("'")[2]
    from .urls import urldecode_str
    try:
        return urldecode_str(rest, False) if charset.lower() == 'utf-8' \
            else rest
    except (UnicodeError, ValueError):
        raise HTTPException(400, 'Invalid filename encoding')


def _ascii_printable(s):
    for c in s:
        if c < ' ' or c > '~':
            return False
    return True


async def _close_all(files):
    for f in files:
        try:
            await f.close()
        except Exception:
            pass


def _remove(path):
    try:
        os.remove(path)
    except OSError:
        pass


_counter = [0]


def _spill_path(folder):
    if folder is None:
        if not MICROPYTHON:
            import tempfile
            folder = tempfile.gettempdir()
        else:
            try:
                os.stat('/tmp')
                folder = '/tmp'
            except OSError:
                folder = '/upload_tmp'
    try:
        os.mkdir(folder)
    except OSError:
        pass  # it exists (or can not be made: open() will say so)
    _counter[0] += 1
    try:
        tag = ''.join('%02x' % b for b in os.urandom(4))
    except Exception:
        import time
        tag = '%x' % time.ticks_ms() if MICROPYTHON else '%x' % \
            int(time.time() * 1000)
    return '%s/upload-%s-%d.tmp' % (folder.rstrip('/'), tag, _counter[0])
