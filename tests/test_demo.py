"""The demo app in examples/demo, through the test client."""
import sys
import unittest

from microdot.test_client import TestClient
from support import load_example, run


def _load_demo():
    return load_example('demo').app


class DemoAppTest(unittest.TestCase):
    def setUp(self):
        self.client = TestClient(_load_demo())

    def test_index_is_html(self):
        res = run(self.client.get('/'))
        self.assertEqual(res.status_code, 200)
        self.assertTrue(res.headers['Content-Type'].startswith('text/html'))
        self.assertIn('Hello from', res.text)

    def test_status_is_json(self):
        res = run(self.client.get('/api/status'))
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.json['runtime'], sys.implementation.name)
        self.assertIsInstance(res.json['uptime_s'], int)

    def test_counter_steps_and_rejects_bad_input(self):
        start = run(self.client.get('/api/counter')).json['value']
        res = run(self.client.post('/api/counter', json={'step': 5}))
        self.assertEqual(res.json['value'], start + 5)
        res = run(self.client.post('/api/counter', json={'step': 'x'}))
        self.assertEqual(res.status_code, 400)
        res = run(self.client.post('/api/counter', body='{bad',
                                   headers={'Content-Type':
                                            'application/json'}))
        self.assertEqual(res.status_code, 400)

    def test_unknown_url_is_json_404(self):
        res = run(self.client.get('/no/such/page'))
        self.assertEqual(res.status_code, 404)
        self.assertEqual(res.json['path'], '/no/such/page')


if __name__ == '__main__':
    unittest.main()
