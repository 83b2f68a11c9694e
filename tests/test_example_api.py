"""The device REST API in examples/api through the test client: the token
flow, paginated sensors, settings validation and JSON errors."""
import binascii
import sys
import unittest

from support import call, make_temp_dir, remove_tree


def _load():
    here = __file__.rpartition('/')[0] or '.'
    path = here + '/../examples/api'
    sys.path.insert(0, path)
    try:
        import device_api
    except ImportError as exc:
        raise unittest.SkipTest('examples/api is not reachable from here: '
                                + str(exc))
    finally:
        sys.path.remove(path)
    return device_api


def basic(user, password):
    raw = (user + ':' + password).encode()
    return {'Authorization': 'Basic ' +
            binascii.b2a_base64(raw).decode().strip()}


class ExampleApiTest(unittest.TestCase):
    def setUp(self):
        self.dir = make_temp_dir('apitest')
        self.path = self.dir + '/tokens.json'
        self.module = _load()
        self.app = self.module.create_app(self.path,
                                          users={'admin': 'pw'})

    def tearDown(self):
        remove_tree(self.dir)

    def token(self):
        res = call(self.app, 'POST', '/api/tokens',
                   headers=basic('admin', 'pw'))
        self.assertEqual(res.status_code, 200)
        return {'Authorization': 'Bearer ' + res.json['token']}

    def test_token_needs_basic_auth(self):
        for headers in (None, basic('admin', 'wrong'), basic('bob', 'pw'),
                        {'Authorization': 'Basic !!!'}):
            res = call(self.app, 'POST', '/api/tokens', headers=headers)
            self.assertEqual(res.status_code, 401)
            self.assertEqual(res.json['error'], 'Unauthorized')
            self.assertIn('Basic', res.headers['WWW-Authenticate'])

    def test_token_flow(self):
        res = call(self.app, 'POST', '/api/tokens',
                   headers=basic('admin', 'pw'))
        token = res.json['token']
        self.assertEqual(len(token), 32)
        self.assertEqual(res.json['expires_in'], 3600)
        # the same token again while it is fresh, and it is on flash
        again = call(self.app, 'POST', '/api/tokens',
                     headers=basic('admin', 'pw'))
        self.assertEqual(again.json['token'], token)
        with open(self.path) as f:
            self.assertIn(token, f.read())
        auth = {'Authorization': 'Bearer ' + token}
        self.assertEqual(call(self.app, 'GET', '/api/sensors/1',
                              headers=auth).status_code, 200)
        # a new app (a reboot) reads the token file
        app2 = self.module.create_app(self.path, users={'admin': 'pw'})
        self.assertEqual(call(app2, 'GET', '/api/sensors/1',
                              headers=auth).status_code, 200)
        res = call(self.app, 'DELETE', '/api/tokens', headers=auth)
        self.assertEqual(res.status_code, 204)
        res = call(self.app, 'GET', '/api/sensors/1', headers=auth)
        self.assertEqual(res.status_code, 401)
        self.assertEqual(res.json['message'], 'a valid token is required')
        with open(self.path) as f:
            self.assertNotIn(token, f.read())

    def test_expired_token(self):
        store = self.module.TokenStore(self.dir + '/t2.json')
        token, _ = store.issue('admin', expires_in=-1)
        self.assertIsNone(store.check(token))
        self.assertIsNone(store.check('made-up'))

    def test_sensors_need_a_token(self):
        for path in ('/api/sensors', '/api/sensors/1'):
            res = call(self.app, 'GET', path)
            self.assertEqual(res.status_code, 401)
            res = call(self.app, 'GET', path,
                       headers={'Authorization': 'Bearer nope'})
            self.assertEqual(res.status_code, 401)

    def test_paginated_list(self):
        auth = self.token()
        res = call(self.app, 'GET', '/api/sensors', headers=auth)
        body = res.json
        self.assertEqual(len(body['items']), 5)
        self.assertEqual(body['_meta'], {'page': 1, 'per_page': 5,
                                         'total_pages': 3,
                                         'total_items': 12})
        self.assertEqual(body['_links']['next'],
                         '/api/sensors?page=2&per_page=5')
        self.assertEqual(body['items'][0]['_links']['self'],
                         '/api/sensors/1')
        res = call(self.app, 'GET', body['_links']['next'], headers=auth)
        self.assertEqual(res.json['items'][0]['id'], 6)
        res = call(self.app, 'GET', '/api/sensors?per_page=500',
                   headers=auth)
        self.assertEqual(res.json['_meta']['per_page'], 20)
        res = call(self.app, 'GET', '/api/sensors?page=zero', headers=auth)
        self.assertEqual(res.status_code, 400)

    def test_get_and_update(self):
        auth = self.token()
        res = call(self.app, 'GET', '/api/sensors/2', headers=auth)
        self.assertEqual(res.json['kind'], 'humidity')
        res = call(self.app, 'PATCH', '/api/sensors/2', headers=auth,
                   json={'interval': 60, 'enabled': False})
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.json['settings'],
                         {'interval': 60, 'enabled': False})
        self.assertIsNone(res.json['value'])
        res = call(self.app, 'GET', '/api/sensors/2', headers=auth)
        self.assertEqual(res.json['settings']['interval'], 60)

    def test_update_validation(self):
        auth = self.token()
        bad = [{'interval': 0}, {'interval': 'fast'}, {'interval': True},
               {'enabled': 'yes'}, {'name': ''}, {'name': 'x' * 33},
               {'colour': 'red'}, {}, [1, 2]]
        for data in bad:
            res = call(self.app, 'PATCH', '/api/sensors/1', headers=auth,
                       json=data)
            self.assertEqual(res.status_code, 400, data)
            self.assertEqual(res.json['error'], 'Bad Request')
            self.assertTrue(res.json['message'])
        # nothing was half-applied
        res = call(self.app, 'GET', '/api/sensors/1', headers=auth)
        self.assertEqual(res.json['settings'],
                         {'interval': 10, 'enabled': True})
        headers = dict(auth)
        headers['Content-Type'] = 'application/json'
        res = call(self.app, 'PATCH', '/api/sensors/1', headers=headers,
                   body=b'{nope')
        self.assertEqual(res.status_code, 400)
        self.assertEqual(res.json['error'], 'Bad Request')

    def test_json_errors_under_api_only(self):
        auth = self.token()
        res = call(self.app, 'GET', '/api/sensors/99', headers=auth)
        self.assertEqual(res.status_code, 404)
        self.assertEqual(res.json, {'error': 'Not Found',
                                    'message': 'no sensor with id 99'})
        res = call(self.app, 'GET', '/api/nothing')
        self.assertEqual(res.json['error'], 'Not Found')
        res = call(self.app, 'POST', '/api/sensors/1', headers=auth)
        self.assertEqual(res.status_code, 405)
        self.assertEqual(res.json['error'], 'Method Not Allowed')
        res = call(self.app, 'GET', '/nothing')
        self.assertEqual(res.status_code, 404)
        self.assertIsNone(res.json)

    def test_links_and_middleware(self):
        res = call(self.app, 'GET', '/')
        self.assertEqual(res.json, {'api': '/api/'})
        res = call(self.app, 'GET', '/api/')
        self.assertEqual(res.json['_links'], {'tokens': '/api/tokens',
                                              'sensors': '/api/sensors'})
        self.assertTrue(res.headers['Server-Timing'].startswith('app;dur='))
        self.assertEqual(res.headers['X-Content-Type-Options'], 'nosniff')
        # GZip is checked with a real client in test_example_api_live.py

if __name__ == '__main__':
    unittest.main()
