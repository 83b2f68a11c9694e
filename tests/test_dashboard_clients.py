"""Real clients against examples/dashboard served by MicroPython: requests'
files= and curl -F uploads of 1 byte, 64 KB and 1 MB (CPython only)."""
import os
import sys
import unittest

try:
    import requests
    import shutil
    import subprocess
except ImportError:  # MicroPython: the class below skips
    requests = shutil = subprocess = None

from multipart_support import pattern
from support import make_temp_dir, remove_tree

SIZES = (1, 64 * 1024, 1024 * 1024)


@unittest.skipIf(sys.implementation.name != 'cpython' or requests is None,
                 'real clients run on CPython with requests installed')
class RealClientUploadTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        from dashboard_server import DashboardServer
        cls.dir = make_temp_dir('dash_clients')
        cls.uploads = cls.dir + '/uploads'
        cls.srv = DashboardServer(cls.uploads, measure=True)
        cls.peaks = {}

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()
        if cls.peaks:
            print('\nlive heap high-water during a saved upload (MicroPython '
                  'unix port, .py sources): ' + ', '.join(
                      '%s %d B: %d B' % (k[0], k[1], v)
                      for k, v in sorted(cls.peaks.items())))
        remove_tree(cls.dir)

    def check_stored(self, name, data, client):
        with open(self.uploads + '/' + name, 'rb') as f:
            self.assertEqual(f.read(), data)
        info = requests.get(self.srv.url('/api/files'), timeout=10).json()
        last = info['last_upload']
        self.assertEqual((last['name'], last['size']), (name, len(data)))
        self.peaks[(client, len(data))] = last['heap_peak']

    def test_requests_files(self):
        for size in SIZES:
            name = 'req-%d.bin' % size
            data = pattern(size)
            res = requests.post(self.srv.url('/upload'), timeout=60,
                                files={'file': (name, data)},
                                data={'note': 'from requests'},
                                allow_redirects=False)
            self.assertEqual(res.status_code, 303, res.text)
            self.check_stored(name, data, 'requests')
        res = requests.get(self.srv.url('/'), timeout=10)
        self.assertIn('req-1048576.bin</a> (1048576 bytes)', res.text)

    def test_curl_form(self):
        if shutil.which('curl') is None:
            self.skipTest('curl is not installed')
        for size in SIZES:
            name = 'curl-%d.bin' % size
            data = pattern(size)
            path = os.path.join(self.dir, name)
            with open(path, 'wb') as f:
                f.write(data)
            out = subprocess.run(
                ['curl', '-sS', '-o', '/dev/null', '-w', '%{http_code}',
                 '-F', 'file=@' + path, '-F', 'note=curl',
                 self.srv.url('/upload')],
                capture_output=True, text=True, timeout=60)
            self.assertEqual(out.stdout, '303', out.stderr)
            self.check_stored(name, data, 'curl')

    def test_heap_flat_in_upload_size(self):
        data = pattern(1024 * 1024)
        small = pattern(64 * 1024)
        peaks = []
        for name, d in (('flat-s.bin', small), ('flat-l.bin', data)):
            requests.post(self.srv.url('/upload'), timeout=60,
                          files={'file': (name, d)}, allow_redirects=False)
            last = requests.get(self.srv.url('/api/files'),
                                timeout=10).json()['last_upload']
            self.assertEqual(last['size'], len(d))
            peaks.append(last['heap_peak'])
        # a 16x larger file: the same working set, within 2 KB
        self.assertLess(abs(peaks[1] - peaks[0]), 2048, peaks)

    def test_bad_name_from_a_real_client(self):
        res = requests.post(self.srv.url('/upload'), timeout=30,
                            files={'file': ('../../escape.bin', b'x' * 10)},
                            allow_redirects=False)
        self.assertEqual(res.status_code, 400)
        self.assertIn('Invalid file name', res.text)
        self.assertFalse(os.path.exists(self.dir + '/escape.bin'))


if __name__ == '__main__':
    unittest.main()
