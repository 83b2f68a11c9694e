"""microdot.multipart: forms and uploads that parse (bad input is in
test_multipart_errors.py)."""
import os
import unittest

from microdot import Microdot, Request
from microdot.multipart import with_form_data, FormDataIter, FileUpload, \
    safe_filename
from multipart_support import encode, pattern
from support import run, make_client, make_temp_dir, remove_tree


class WithFormDataTest(unittest.TestCase):
    def setUp(self):
        self.spill = make_temp_dir('mp_spill')
        self.old = (FileUpload.spill_dir, Request.max_content_length)
        FileUpload.spill_dir = self.spill
        Request.max_content_length = 256 * 1024
        self.seen = {}
        app = Microdot()
        seen = self.seen

        @app.route('/form', methods=['GET', 'POST'])
        @with_form_data
        async def form_view(request):
            seen['form'] = request.form
            seen['files'] = request.files
            seen['spilled'] = os.listdir(self.spill)
            out = {}
            for name in request.files:
                f = request.files[name]
                data = await f.read()
                out[name] = [f.filename, f.content_type, len(data),
                             data == pattern(len(data))]
            form = request.form or {}
            return {'fields': {k: form[k] for k in form}, 'files': out}

        self.app = app
        self.client = make_client(app)

    def tearDown(self):
        FileUpload.spill_dir, Request.max_content_length = self.old
        remove_tree(self.spill)

    def post(self, body, headers):
        return run(self.client.post('/form', headers=headers, body=body))

    def test_fields_and_small_file_in_memory(self):
        body, headers = encode([('title', 'héllo'), ('n', '3')],
                               [('doc', 'a.txt', pattern(100), 'text/plain')])
        res = self.post(body, headers)
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.json['fields'], {'title': 'héllo', 'n': '3'})
        self.assertEqual(res.json['files']['doc'],
                         ['a.txt', 'text/plain', 100, True])
        self.assertEqual(self.seen['spilled'], [])

    def test_large_file_spills_and_is_removed(self):
        body, headers = encode([('a', '1')], [('up', 'big.bin',
                                               pattern(40000))])
        res = self.post(body, headers)
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.json['files']['up'][2:], [40000, True])
        self.assertEqual(len(self.seen['spilled']), 1)
        self.assertEqual(os.listdir(self.spill), [])  # closed afterwards

    def test_body_over_max_body_length_is_streamed(self):
        self.assertGreater(150000, Request.max_body_length)
        body, headers = encode([], [('up', 'x.bin', pattern(150000))])
        res = self.post(body, headers)
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.json['files']['up'][2:], [150000, True])

    def test_get_and_no_body_leave_form_none(self):
        res = run(self.client.get('/form'))
        self.assertEqual(res.status_code, 200)
        self.assertIsNone(self.seen['form'])
        self.assertEqual(len(self.seen['files']), 0)
        res = self.post(b'', {})
        self.assertEqual(res.status_code, 200)
        self.assertIsNone(self.seen['form'])

    def test_urlencoded_form_still_parsed_by_core(self):
        res = self.post('a=1&b=x+y', {'Content-Type':
                                      'application/x-www-form-urlencoded'})
        self.assertEqual(res.json['fields'], {'a': '1', 'b': 'x y'})

    def test_repeated_names(self):
        body, headers = encode([('t', 'a'), ('t', 'b')],
                               [('f', '1.bin', b'1'), ('f', '2.bin', b'22')])
        self.post(body, headers)
        self.assertEqual(self.seen['form'].getlist('t'), ['a', 'b'])
        self.assertEqual([f.filename for f in self.seen['files'].getlist('f')],
                         ['1.bin', '2.bin'])

    def test_wrapper_keeps_handler_name(self):
        async def my_view(request):
            pass
        self.assertEqual(with_form_data(my_view).__name__, 'my_view')

    def test_empty_file_and_empty_field(self):
        body, headers = encode([('e', '')], [('f', 'empty', b'')])
        res = self.post(body, headers)
        self.assertEqual(res.json['fields'], {'e': ''})
        self.assertEqual(res.json['files']['f'][2], 0)


class FormDataIterTest(unittest.TestCase):
    def setUp(self):
        self.dir = make_temp_dir('mp_iter')
        self.old = Request.max_content_length
        Request.max_content_length = 256 * 1024
        self.log = []
        app = Microdot()
        log = self.log
        folder = self.dir

        @app.post('/up')
        async def up(request):
            it = FormDataIter(request)
            it.buffer_size = int(request.args.get('buf', '512'))
            async for name, value in it:
                if isinstance(value, FileUpload):
                    mode = request.args.get('mode')
                    if mode == 'save':
                        n = await value.save(folder + '/' +
                                             safe_filename(value.filename))
                        log.append((name, 'saved', n))
                    elif mode == 'chunks':
                        sizes = []
                        while True:
                            data = await value.read(1000)
                            if not data:
                                break
                            sizes.append(len(data))
                        log.append((name, 'chunks', max(sizes), sum(sizes)))
                    elif mode == 'copy':
                        c = await value.copy(max_memory_size=100)
                        spilled = os.listdir(folder)
                        data = await c.read()
                        await c.close()
                        log.append((name, 'copied', len(data),
                                    data == pattern(len(data)), spilled,
                                    os.listdir(folder)))
                    else:
                        log.append((name, 'skipped'))
                else:
                    log.append((name, value))
            return 'ok'

        self.client = make_client(app)

    def tearDown(self):
        Request.max_content_length = self.old
        remove_tree(self.dir)

    def post(self, query, body, headers):
        return run(self.client.post('/up?' + query, headers=headers,
                                    body=body))

    def test_save_streams_to_file(self):
        data = pattern(70000)
        body, headers = encode([('before', 'x')], [('f', 'd.bin', data)])
        body = body.replace(b'--kitBoundary7MA4YWxk--',
                            b'--kitBoundary7MA4YWxk\r\nContent-Disposition: '
                            b'form-data; name="after"\r\n\r\ny\r\n'
                            b'--kitBoundary7MA4YWxk--')
        res = self.post('mode=save', body, headers)
        self.assertEqual(res.status_code, 200)
        self.assertEqual(self.log, [('before', 'x'), ('f', 'saved', 70000),
                                    ('after', 'y')])
        with open(self.dir + '/d.bin', 'rb') as f:
            self.assertEqual(f.read(), data)

    def test_tiny_buffer_splits_every_delimiter(self):
        for buf in ('1', '7', '23', '64'):
            del self.log[:]
            body, headers = encode([('a', 'one'), ('b', '')],
                                   [('f', 'x', pattern(300))])
            res = self.post('mode=chunks&buf=' + buf, body, headers)
            self.assertEqual(res.status_code, 200)
            self.assertEqual(self.log[:2], [('a', 'one'), ('b', '')])
            self.assertEqual(self.log[2][0], 'f')
            self.assertEqual(self.log[2][3], 300)

    def test_copy_spills_past_max_memory_size(self):
        FileUpload.spill_dir, old = self.dir, FileUpload.spill_dir
        try:
            body, headers = encode([], [('a', 'x', pattern(100)),
                                        ('b', 'y', pattern(101))])
            self.post('mode=copy', body, headers)
        finally:
            FileUpload.spill_dir = old
        self.assertEqual(self.log[0], ('a', 'copied', 100, True, [], []))
        name, _, size, same, spilled, after = self.log[1]
        self.assertEqual((size, same, len(spilled), after), (101, True, 1,
                                                             []))

    def test_read_in_chunks(self):
        body, headers = encode([], [('f', 'x', pattern(5000))])
        self.post('mode=chunks', body, headers)
        name, _, biggest, total = self.log[0]
        self.assertEqual(total, 5000)
        self.assertLessEqual(biggest, 1000)

    def test_unread_file_is_skipped(self):
        body, headers = encode([('z', '9')], [('f', 'x', pattern(3000)),
                                              ('g', 'y', b'abc')])
        self.post('', body, headers)
        self.assertEqual(self.log, [('z', '9'), ('f', 'skipped'),
                                    ('g', 'skipped')])

    def test_boundary_like_bytes_in_data(self):
        # near misses of the delimiter (CRLF '--' boundary) are data
        data = (b'\r\n--kitBoundary7MA4YWx\r\n-kitBoundary7MA4YWxk'
                b'--kitBoundary7MA4YWxk\n--kitBoundary7MA4YWxk\r') * 3
        body, headers = encode([], [('f', 'x', data)])
        self.post('mode=chunks&buf=16', body, headers)
        self.assertEqual(self.log[0][3], len(data))

    def test_preamble_epilogue_and_quoted_params(self):
        body = (b'preamble text\r\n--B\r\nContent-Disposition: form-data; '
                b'name="q\\"x"\r\n\r\nv\r\n--B\r\ncontent-disposition: '
                b'form-data; name=f; filename*=UTF-8\'\'na%C3%AFve%20a.txt'
                b'\r\n\r\ndata\r\n--B--\r\nepilogue')
        self.post('', body, {'Content-Type':
                             'multipart/form-data; boundary="B"'})
        self.assertEqual(self.log, [('q"x', 'v'), ('f', 'skipped')])


class SafeFilenameTest(unittest.TestCase):
    def test_names(self):
        cases = [('report.pdf', 'report.pdf'), ('../../etc/passwd', 'passwd'),
                 ('/abs/path/x.txt', 'x.txt'),
                 ('C:\\Users\\me\\photo.jpg', 'photo.jpg'),
                 ('..', None), ('/', None), ('', None), (None, None),
                 ('.hidden', 'hidden'), ('a\x00b.txt', 'ab.txt'),
                 ('we<ird>|na:me?.txt', 'weirdname.txt')]
        for raw, want in cases:
            self.assertEqual(safe_filename(raw), want, raw)

    def test_length_keeps_extension(self):
        name = safe_filename('x' * 200 + '.json')
        self.assertEqual(len(name), 64)
        self.assertTrue(name.endswith('.json'))


if __name__ == '__main__':
    unittest.main()
