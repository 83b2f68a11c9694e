"""The files of an app frozen into the image, as a read-only filesystem.

``make BOARD=... APP=path/to/app`` freezes the app's static files into the
generated module ``kitapp_files`` (``FILES``: path -> bytes). Mounted with
:func:`mount`, they are files again, so the app's ``send_file('static/
style.css')`` and ``open()`` work unchanged, with nothing on the board's
filesystem. The bytes stay in flash (frozen), and a file is read from them
without a copy of the whole file in RAM per request beyond the one
``BytesIO`` view.
"""
import io

_FILE = 0x8000
_DIR = 0x4000


class FrozenFS:
    """A MicroPython VFS (the protocol ``os.mount`` takes) over ``files``."""

    def __init__(self, files):
        self.files = files
        self.cwd = '/'

    def mount(self, readonly, mkfs):
        pass

    def umount(self):
        pass

    def _key(self, path):
        if not path.startswith('/'):
            path = self.cwd.rstrip('/') + '/' + path
        return path.strip('/')

    def _is_dir(self, key):
        if not key:
            return True
        prefix = key + '/'
        for name in self.files:
            if name.startswith(prefix):
                return True
        return False

    def ilistdir(self, path):
        key = self._key(path)
        prefix = key + '/' if key else ''
        seen = []
        for name in self.files:
            if name.startswith(prefix):
                rest = name[len(prefix):]
                head = rest.split('/')[0]
                if head not in seen:
                    seen.append(head)
                    yield (head, _DIR if '/' in rest else _FILE, 0)

    def stat(self, path):
        key = self._key(path)
        data = self.files.get(key)
        if data is not None:
            return (_FILE, 0, 0, 0, 0, 0, len(data), 0, 0, 0)
        if self._is_dir(key):
            return (_DIR, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        raise OSError(2)  # ENOENT

    def open(self, path, mode):
        if 'w' in mode or 'a' in mode or '+' in mode:
            raise OSError(30)  # EROFS: frozen files are read only
        data = self.files.get(self._key(path))
        if data is None:
            raise OSError(2)
        return io.BytesIO(data) if 'b' in mode else io.StringIO(
            data.decode())

    def statvfs(self, path):
        return (512, 512, 0, 0, 0, 0, 0, 0, 0, 255)

    def chdir(self, path):
        key = self._key(path)
        if not self._is_dir(key):
            raise OSError(2)
        self.cwd = '/' + key

    def getcwd(self):
        return self.cwd

    def mkdir(self, path):
        raise OSError(30)

    remove = rmdir = mkdir

    def rename(self, old, new):
        raise OSError(30)


def mount(files, where='/app_frozen'):
    """Mount ``files`` read-only at ``where``; returns ``where``, or None
    on a runtime without ``os.mount`` (CPython)."""
    import os
    if not hasattr(os, 'mount'):
        return None
    try:
        os.umount(where)
    except OSError:
        pass
    os.mount(FrozenFS(files), where)
    return where
