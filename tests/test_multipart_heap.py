"""A 1 MB upload saved to a file by examples/dashboard on MicroPython with
a 64 KB heap, the framework frozen (CPython drives it; skips without a
frozen image: FROZEN_MICROPYTHON=path or `make BOARD=UNIX`)."""
import sys
import unittest

try:
    import requests
except ImportError:
    requests = None

from multipart_support import pattern
from support import make_temp_dir, remove_tree


@unittest.skipIf(sys.implementation.name != 'cpython' or requests is None,
                 'drives a MicroPython process from CPython with requests')
class SmallHeapUploadTest(unittest.TestCase):
    def test_1mb_upload_in_a_64k_heap(self):
        from dashboard_server import DashboardServer, frozen_image
        binary = frozen_image()
        if binary is None:
            self.skipTest('no frozen unix image with microdot.multipart '
                          '(FROZEN_MICROPYTHON=path or make BOARD=UNIX)')
        d = make_temp_dir('heap64')
        srv = DashboardServer(d + '/uploads', measure=True, heap='64k',
                              binary=binary)
        try:
            peaks = []
            for size in (64 * 1024, 1024 * 1024, 64 * 1024, 1024 * 1024):
                data = pattern(size)
                res = requests.post(srv.url('/upload'), timeout=120,
                                    files={'file': ('f%d.bin' % size, data)},
                                    allow_redirects=False)
                self.assertEqual(res.status_code, 303, res.text)
                with open(d + '/uploads/f%d.bin' % size, 'rb') as f:
                    self.assertEqual(f.read(), data)
                last = requests.get(srv.url('/api/files'),
                                    timeout=10).json()['last_upload']
                peaks.append(last['heap_peak'])
            print('\nlive heap high-water, -X heapsize=64k, frozen: 64 KB '
                  '%d B, 1 MB %d B (again: %d B, %d B)' % tuple(peaks))
            self.assertLess(max(peaks), 64 * 1024)
            # warmed up (the second pair): the same within 2 KB
            self.assertLess(abs(peaks[3] - peaks[2]), 2048, peaks)
        finally:
            srv.stop()
            remove_tree(d)


if __name__ == '__main__':
    unittest.main()
