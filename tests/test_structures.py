"""MultiDict, NoCaseDict and the URL encoding helpers."""
import unittest

from microdot import MultiDict, NoCaseDict


def _url_helpers():
    try:
        from microdot import urlencode, urldecode_str, urldecode_bytes
    except ImportError:
        from microdot.structures import urlencode, urldecode_str, \
            urldecode_bytes
    return urlencode, urldecode_str, urldecode_bytes


class MultiDictTest(unittest.TestCase):
    def test_first_value_and_getlist(self):
        d = MultiDict()
        d['sort'] = 'name'
        d['sort'] = 'email'
        self.assertEqual(d['sort'], 'name')
        self.assertEqual(d.get('sort'), 'name')
        self.assertEqual(d.getlist('sort'), ['name', 'email'])

    def test_missing_keys(self):
        d = MultiDict()
        self.assertIsNone(d.get('x'))
        self.assertEqual(d.get('x', 'dflt'), 'dflt')
        self.assertEqual(d.getlist('x'), [])
        self.assertNotIn('x', d)
        with self.assertRaises(KeyError):
            d['x']

    def test_get_with_type(self):
        d = MultiDict()
        d['n'] = '42'
        d['n'] = '7'
        self.assertEqual(d.get('n', type=int), 42)
        self.assertEqual(d.getlist('n', type=int), [42, 7])
        self.assertEqual(d.get('missing', 5, int), 5)
        self.assertEqual(d.get('missing', default=3, type=int), 3)

    def test_initial_dict_and_membership(self):
        d = MultiDict({'a': '1', 'b': '2'})
        self.assertIn('a', d)
        self.assertEqual(d['b'], '2')
        self.assertEqual(d.getlist('a'), ['1'])
        self.assertEqual(len(d), 2)
        self.assertEqual(sorted(d.keys()), ['a', 'b'])

    def test_delete_removes_all_values(self):
        d = MultiDict()
        d['a'] = '1'
        d['a'] = '2'
        d['b'] = '3'
        del d['a']
        self.assertNotIn('a', d)
        self.assertEqual(d.getlist('a'), [])
        self.assertEqual(len(d), 1)
        d['a'] = '9'
        self.assertEqual(d.getlist('a'), ['9'])

    def test_is_a_dict(self):
        self.assertIsInstance(MultiDict(), dict)

    def test_list_values_are_values(self):
        # one value is stored bare, several in a private list type: a value
        # that is itself a list must not be taken for several values
        d = MultiDict()
        d['x'] = [1, 2]
        self.assertEqual(d['x'], [1, 2])
        self.assertEqual(d.getlist('x'), [[1, 2]])
        d['x'] = [3]
        self.assertEqual(d['x'], [1, 2])
        self.assertEqual(d.getlist('x'), [[1, 2], [3]])
        self.assertEqual(d.get('x'), [1, 2])
        self.assertEqual(d.items(), [('x', [1, 2])])
        self.assertEqual(d.values(), [[1, 2]])


class NoCaseDictTest(unittest.TestCase):
    def test_case_insensitive_access(self):
        d = NoCaseDict()
        d['Content-Type'] = 'text/plain'
        self.assertEqual(d['content-type'], 'text/plain')
        self.assertEqual(d['CONTENT-TYPE'], 'text/plain')
        self.assertIn('content-TYPE', d)
        self.assertEqual(d.get('CoNtEnT-TyPe'), 'text/plain')
        self.assertIsNone(d.get('x-missing'))
        self.assertEqual(d.get('x-missing', 'd'), 'd')

    def test_overwrite_in_other_case_keeps_one_key(self):
        d = NoCaseDict()
        d['X-Thing'] = 'a'
        d['x-thing'] = 'b'
        d['X-THING'] = 'c'
        self.assertEqual(len(d), 1)
        self.assertEqual(d['x-Thing'], 'c')
        self.assertEqual(len(list(d.items())), 1)

    def test_delete_in_other_case(self):
        d = NoCaseDict({'Accept': '*/*', 'Host': 'h'})
        del d['ACCEPT']
        self.assertNotIn('accept', d)
        self.assertEqual(len(d), 1)
        with self.assertRaises(KeyError):
            d['Accept']

    def test_initial_dict(self):
        d = NoCaseDict({'Set-Cookie': 'a=1', 'Server': 'x'})
        self.assertEqual(d['set-cookie'], 'a=1')
        self.assertEqual(d['SERVER'], 'x')
        self.assertEqual(len(d), 2)

    def test_missing_key_raises(self):
        with self.assertRaises(KeyError):
            NoCaseDict()['nope']

    def test_dict_methods_are_case_insensitive(self):
        d = NoCaseDict({'Content-Type': 'a'})
        d.update({'content-type': 'b', 'X-New': 'n'})
        self.assertEqual(len(d), 2)
        self.assertEqual(d['CONTENT-TYPE'], 'b')
        self.assertEqual(d.setdefault('CONTENT-type', 'c'), 'b')
        self.assertEqual(d.setdefault('x-other', 'o'), 'o')
        self.assertEqual(d['X-Other'], 'o')
        self.assertEqual(d.pop('x-NEW'), 'n')
        self.assertNotIn('X-New', d)
        self.assertEqual(d.pop('missing', 'dflt'), 'dflt')
        self.assertEqual(len(d), 2)

    def test_is_a_dict(self):
        self.assertIsInstance(NoCaseDict(), dict)


def _parse(*lines):
    from microdot.request import parse_head
    head = '\r\n'.join(('GET / HTTP/1.1', 'Host: x') + lines).encode()
    return parse_head(head, 2048, 64)[3]


class SharedKeymapTest(unittest.TestCase):
    # request headers spelled as before share one lower-case -> spelling
    # map (and the spelling strings) instead of each holding its own

    def setUp(self):
        # both maps are bounded and filled first come, first served: start
        # these tests from empty ones (and put the others' back after)
        from microdot import request
        from microdot.structures import shared_keymap
        self.saved = [(m, dict(m)) for m in (request._names, shared_keymap)]
        for m, _ in self.saved:
            m.clear()

    def tearDown(self):
        for m, saved in self.saved:
            m.clear()
            m.update(saved)

    def test_same_spelling_shares_map_and_key_strings(self):
        from microdot.structures import shared_keymap
        a = _parse('X-Shared-One: 1')
        b = _parse('X-Shared-One: 2')
        self.assertIs(a.keymap, shared_keymap)
        self.assertIs(b.keymap, shared_keymap)
        ka = [k for k in a if k == 'X-Shared-One'][0]
        kb = [k for k in b if k == 'X-Shared-One'][0]
        self.assertIs(ka, kb)
        self.assertEqual((a['x-shared-one'], b['X-SHARED-ONE']), ('1', '2'))

    def test_other_spelling_gets_own_map(self):
        from microdot.structures import shared_keymap
        _parse('X-Shared-Two: a')
        c = _parse('x-shared-two: b')
        self.assertIsNot(c.keymap, shared_keymap)
        self.assertEqual(list(k for k in c if k.lower() == 'x-shared-two'),
                         ['x-shared-two'])
        for key in ('x-shared-two', 'X-Shared-Two', 'X-SHARED-TWO'):
            self.assertEqual(c[key], 'b')
            self.assertIn(key, c)
        self.assertEqual(_parse('X-Shared-Two: d')['x-shared-two'], 'd')

    def test_lower_case_first_spelling_is_claimed(self):
        # a name first seen in lower case: another spelling later must not
        # make the first request's look-ups miss
        a = _parse('x-shared-three: 1')
        b = _parse('X-Shared-Three: 2')
        self.assertEqual(a['X-Shared-Three'], '1')
        self.assertEqual(a.get('X-SHARED-THREE'), '1')
        self.assertEqual(b['x-shared-three'], '2')
        self.assertEqual(b.get('X-SHARED-THREE'), '2')

    def test_changes_do_not_reach_other_requests(self):
        from microdot.structures import shared_keymap
        a = _parse('X-Shared-Four: 1', 'X-Shared-Five: 5')
        b = _parse('X-Shared-Four: 2')
        before = dict(shared_keymap)
        a['X-SHARED-FOUR'] = 'changed'
        a['X-Shared-New'] = 'new'
        del a['x-shared-five']
        self.assertEqual(a.pop('HOST'), 'x')
        self.assertEqual(dict(shared_keymap), before)
        self.assertEqual(a['x-shared-four'], 'changed')
        self.assertEqual(a['x-shared-new'], 'new')
        self.assertNotIn('X-Shared-Five', a)
        self.assertNotIn('Host', a)
        self.assertEqual(b['x-shared-four'], '2')
        self.assertEqual(b['host'], 'x')
        self.assertEqual(sorted(a), ['X-Shared-Four', 'X-Shared-New'])

    def test_repeated_header_combines(self):
        h = _parse('X-Shared-Six: a', 'x-shared-six: b')
        self.assertEqual(h['X-Shared-Six'], 'a, b')
        self.assertEqual(len([k for k in h if k.lower() == 'x-shared-six']),
                         1)

    def test_shared_map_is_bounded(self):
        from microdot.structures import shared_keymap
        for i in range(40):
            h = _parse('X-Bound-%d: %d' % (i, i))
            self.assertEqual(h['x-bound-%d' % i], str(i))
        self.assertLessEqual(len(shared_keymap), 32)


class URLEncodingTest(unittest.TestCase):
    def setUp(self):
        self.urlencode, self.urldecode_str, self.urldecode_bytes = \
            _url_helpers()

    def test_decode_str(self):
        self.assertEqual(self.urldecode_str('a%20b+c'), 'a b c')
        self.assertEqual(self.urldecode_str('plain'), 'plain')
        self.assertEqual(self.urldecode_str('%26%3D%3f'), '&=?')
        self.assertEqual(self.urldecode_str('caf%C3%A9'), 'caf\u00e9')
        self.assertEqual(self.urldecode_str(''), '')

    def test_decode_bytes(self):
        self.assertEqual(self.urldecode_bytes(b'caf%C3%A9+x'), 'caf\u00e9 x')
        self.assertEqual(self.urldecode_bytes(b'%2B'), '+')

    def test_malformed_escapes_stay_literal(self):
        self.assertEqual(self.urldecode_str('100%'), '100%')
        self.assertEqual(self.urldecode_str('%zz'), '%zz')
        self.assertEqual(self.urldecode_str('%4'), '%4')

    def test_encode(self):
        self.assertEqual(self.urlencode('a b'), 'a+b')
        self.assertEqual(self.urlencode('abcXYZ019-_.~'), 'abcXYZ019-_.~')
        self.assertEqual(self.urlencode('a&b=c').upper(), 'A%26B%3DC')
        self.assertEqual(self.urlencode('\u00e9').upper(), '%C3%A9')
        self.assertEqual(self.urlencode('+').upper(), '%2B')

    def test_round_trip(self):
        for text in ['', 'x', 'a b&c=d', '100% sure?', '\u00e9\u4e2d/+#',
                     '%20']:
            self.assertEqual(self.urldecode_str(self.urlencode(text)), text)


if __name__ == '__main__':
    unittest.main()
