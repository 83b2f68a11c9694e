"""examples/dashboard through the test client: the page, uploads, and
refused uploads that leave nothing behind."""
import os
import sys
import unittest

from microdot import Request
from microdot.test_client import TestClient
from multipart_support import encode, pattern
from support import run, make_temp_dir, remove_tree


def _load():
    here = __file__.rpartition('/')[0] or '.'
    path = here + '/../examples/dashboard'
    old = Request.max_content_length
    # other examples are modules named `app` too: import this one on its
    # own and leave sys.modules as it was
    saved = sys.modules.pop('app', None)
    sys.path.insert(0, path)
    try:
        import app as dashboard
    except ImportError as exc:
        raise unittest.SkipTest('examples/dashboard is not reachable: ' +
                                str(exc))
    finally:
        sys.path.remove(path)
        sys.modules.pop('app', None)
        if saved is not None:
            sys.modules['app'] = saved
        Request.max_content_length = old  # the app raises it for uploads
    return dashboard


class DashboardTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.mod = _load()
        import microdot.utemplate as utemplate
        cls.old_log = utemplate.log
        utemplate.log = lambda msg: None

    @classmethod
    def tearDownClass(cls):
        import microdot.utemplate as utemplate
        utemplate.log = cls.old_log

    def setUp(self):
        self.dir = make_temp_dir('dash')
        self.mod.UPLOAD_DIR = self.dir + '/uploads'
        self.old = Request.max_content_length
        Request.max_content_length = self.mod.MAX_UPLOAD
        self.client = TestClient(self.mod.app)

    def tearDown(self):
        Request.max_content_length = self.old
        remove_tree(self.dir)

    def upload(self, filename, data, field='file'):
        body, headers = encode([('note', 'x')], [(field, filename, data)])
        return run(self.client.post('/upload', headers=headers, body=body))

    def stored(self):
        try:
            return sorted(os.listdir(self.mod.UPLOAD_DIR))
        except OSError:
            return []

    def test_page_shows_sensors_form_and_no_files(self):
        res = run(self.client.get('/'))
        self.assertEqual(res.status_code, 200)
        self.assertTrue(res.headers['Content-Type'].startswith('text/html'))
        for text in ('<th>temperature</th>', 'enctype="multipart/form-data"',
                     'No files uploaded yet', sys.implementation.name):
            self.assertIn(text, res.text)

    def test_upload_then_listed_and_downloadable(self):
        data = pattern(30000)
        res = self.upload('log.bin', data)
        self.assertEqual(res.status_code, 303)
        self.assertEqual(res.headers['Location'], '/?uploaded=log.bin')
        self.assertEqual(self.stored(), ['log.bin'])
        page = run(self.client.get('/?uploaded=log.bin')).text
        self.assertIn('<a href="/files/log.bin">log.bin</a> (30000 bytes)',
                      page)
        self.assertIn('Uploaded log.bin', page)
        listing = run(self.client.get('/api/files')).json
        self.assertEqual(listing['files'], [{'name': 'log.bin',
                                             'size': 30000}])
        res = run(self.client.get('/files/log.bin'))
        self.assertEqual(res.body, data)

    def test_message_is_escaped(self):
        page = run(self.client.get('/?uploaded=%3Cscript%3E')).text
        self.assertIn('Uploaded &lt;script&gt;', page)
        self.assertNotIn('<script>', page)

    def test_bad_names_refused_and_nothing_stored(self):
        for name in ('../evil.txt', '/etc/passwd', 'a\\b.txt', '.hidden',
                     'sub/x.txt'):
            res = self.upload(name, b'data')
            self.assertEqual(res.status_code, 400, name)
            self.assertIn('Invalid file name', res.text)
        self.assertEqual(self.upload('', b'').status_code, 400)
        self.assertEqual(self.stored(), [])
        self.assertEqual(run(self.client.get('/files/..')).status_code, 404)

    def test_truncated_upload_leaves_nothing(self):
        body, headers = encode([], [('file', 'cut.bin', pattern(50000))])
        res = run(self.client.post('/upload', headers=headers,
                                   body=body[:30000]))
        self.assertEqual(res.status_code, 400)
        self.assertEqual(self.stored(), [])

    def test_failed_reupload_keeps_the_old_file(self):
        self.upload('keep.bin', b'old')
        body, headers = encode([], [('file', 'keep.bin', pattern(40000))])
        run(self.client.post('/upload', headers=headers, body=body[:20000]))
        self.assertEqual(self.stored(), ['keep.bin'])
        self.assertEqual(run(self.client.get('/files/keep.bin')).body, b'old')

    def test_sensors_json(self):
        res = run(self.client.get('/api/sensors'))
        self.assertIn('temperature', res.json)
        self.assertIsInstance(res.json['uptime'], int)


if __name__ == '__main__':
    unittest.main()
