"""REST helpers: JSON errors for a whole app or a mounted API only (routing,
parser, abort, exceptions) and paginated collections with links."""
import unittest

from microdot import Microdot, Request, abort
from microdot.rest import json_errors, error_response, bad_request, \
    paginate, to_json_error
from support import call


def make_api():
    api = Microdot()

    @api.get('/sensors/<int:id>')
    async def get_sensor(request, id):
        if id != 1:
            abort(404, 'no sensor %d' % id)
        return {'id': 1}

    @api.post('/sensors')
    async def create_sensor(request):
        data = request.json
        if not data or 'name' not in data:
            return bad_request('must include a name')
        return data, 201

    @api.get('/fail')
    async def fail(request):
        raise RuntimeError('secret detail')

    @api.get('/own')
    async def own(request):
        return {'error': 'mine'}, 409

    @api.get('/items')
    async def get_items(request):
        return paginate(request, list(range(1, 26)))

    @api.get('/groups/<int:gid>/items')
    async def group_items(request, gid):
        return paginate(request, lambda offset, limit: (
            [{'n': n} for n in range(offset, min(offset + limit, 7))], 7),
            per_page=3, max_per_page=5, gid=gid, external=True)

    @api.get('/doubled')
    async def doubled(request):
        return paginate(request, [1, 2, 3], serialize=lambda n: n * 2)
    return api


class JsonErrorsAppTest(unittest.TestCase):
    def setUp(self):
        self.app = Microdot()
        self.app.mount(make_api(), '/api')
        json_errors(self.app)

        @self.app.errorhandler(418)
        async def teapot(request):
            return 'short and stout', 418

        @self.app.get('/tea')
        async def tea(request):
            abort(418)

    def test_routing_404_and_405(self):
        res = call(self.app, 'GET', '/nowhere')
        self.assertEqual(res.status_code, 404)
        self.assertEqual(res.json['error'], 'Not Found')
        self.assertTrue(res.json['message'])
        res = call(self.app, 'DELETE', '/api/sensors/1')
        self.assertEqual(res.status_code, 405)
        self.assertEqual(res.json['error'], 'Method Not Allowed')
        self.assertIn('GET', res.headers['Allow'])

    def test_abort_with_message(self):
        res = call(self.app, 'GET', '/api/sensors/9')
        self.assertEqual(res.status_code, 404)
        self.assertEqual(res.json, {'error': 'Not Found',
                                    'message': 'no sensor 9'})
        self.assertEqual(res.headers['Content-Type'],
                         'application/json; charset=UTF-8')
        self.assertEqual(int(res.headers['Content-Length']), len(res.body))

    def test_parser_errors(self):
        res = call(self.app, 'POST', '/api/sensors', body=b'{bad',
                   headers={'Content-Type': 'application/json'})
        self.assertEqual(res.status_code, 400)
        self.assertEqual(res.json['error'], 'Bad Request')
        self.assertIn('JSON', res.json['message'])
        res = call(self.app, 'POST', '/api/sensors', body=b'x',
                   headers={'Content-Length': str(Request.max_content_length
                                                  + 1)})
        self.assertEqual(res.status_code, 413)
        self.assertEqual(res.json['error'], 'Payload Too Large')

    def test_helpers_and_exceptions(self):
        res = call(self.app, 'POST', '/api/sensors', json={'x': 1})
        self.assertEqual(res.status_code, 400)
        self.assertEqual(res.json, {'error': 'Bad Request',
                                    'message': 'must include a name'})
        res = call(self.app, 'GET', '/api/fail')
        self.assertEqual(res.status_code, 500)
        self.assertEqual(res.json['error'], 'Internal Server Error')
        self.assertNotIn('secret', res.text)
        res = call(self.app, 'GET', '/api/own')
        self.assertEqual(res.json, {'error': 'mine'})  # left alone
        res = call(self.app, 'GET', '/tea')
        self.assertEqual(res.status_code, 418)
        self.assertEqual(res.json['message'], 'short and stout')

    def test_success_untouched(self):
        res = call(self.app, 'GET', '/api/sensors/1')
        self.assertEqual(res.json, {'id': 1})

    def test_error_response(self):
        res = error_response(403)
        self.assertEqual(res.status_code, 403)
        self.assertEqual(res.body, b'{"error": "Forbidden"}')
        res = error_response(599, 'odd')
        self.assertIn(b'"Unknown error"', res.body)
        res = to_json_error(error_response(401, 'x'))
        self.assertIn(b'"x"', res.body)


class JsonErrorsPrefixTest(unittest.TestCase):
    def setUp(self):
        self.app = Microdot()
        self.app.mount(make_api(), '/api')
        json_errors(self.app, url_prefix='/api/')

        @self.app.get('/page')
        async def page(request):
            abort(404, 'no page')

    def test_only_under_prefix(self):
        for path in ('/api', '/api/nothing', '/api/sensors/9'):
            res = call(self.app, 'GET', path)
            self.assertEqual(res.status_code, 404)
            self.assertEqual(res.json['error'], 'Not Found', path)
        for path in ('/nothing', '/apix', '/page'):
            res = call(self.app, 'GET', path)
            self.assertEqual(res.status_code, 404)
            self.assertIsNone(res.json, path)
        self.assertEqual(call(self.app, 'GET', '/page').text, 'no page')


class PaginateTest(unittest.TestCase):
    def setUp(self):
        self.app = Microdot()
        self.app.mount(make_api(), '/api')
        json_errors(self.app)

    def test_first_and_middle_pages(self):
        res = call(self.app, 'GET', '/api/items')
        self.assertEqual(res.json['items'], list(range(1, 11)))
        self.assertEqual(res.json['_meta'], {'page': 1, 'per_page': 10,
                                             'total_pages': 3,
                                             'total_items': 25})
        self.assertEqual(res.json['_links'], {
            'self': '/api/items?page=1&per_page=10',
            'next': '/api/items?page=2&per_page=10', 'prev': None})
        res = call(self.app, 'GET', '/api/items?page=3&per_page=10')
        self.assertEqual(res.json['items'], list(range(21, 26)))
        self.assertIsNone(res.json['_links']['next'])
        self.assertEqual(res.json['_links']['prev'],
                         '/api/items?page=2&per_page=10')

    def test_past_the_end_and_cap(self):
        res = call(self.app, 'GET', '/api/items?page=9')
        self.assertEqual(res.json['items'], [])
        res = call(self.app, 'GET', '/api/items?per_page=1000')
        self.assertEqual(res.json['_meta']['per_page'], 100)
        self.assertEqual(len(res.json['items']), 25)
        self.assertEqual(res.json['_meta']['total_pages'], 1)

    def test_bad_arguments(self):
        for query in ('page=0', 'page=-1', 'page=x', 'per_page=1.5',
                      'page=%C2%B2'):
            res = call(self.app, 'GET', '/api/items?' + query)
            self.assertEqual(res.status_code, 400, query)
            self.assertIn('positive integer', res.json['message'])

    def test_callable_values_and_external(self):
        res = call(self.app, 'GET', '/api/groups/4/items?page=2',
                   headers={'Host': 'board:80'})
        self.assertEqual(res.json['items'], [{'n': 3}, {'n': 4}, {'n': 5}])
        self.assertEqual(res.json['_meta'], {'page': 2, 'per_page': 3,
                                             'total_pages': 3,
                                             'total_items': 7})
        self.assertEqual(res.json['_links']['next'],
                         'http://board:80/api/groups/4/items?page=3'
                         '&per_page=3')
        res = call(self.app, 'GET', '/api/groups/4/items?per_page=50')
        self.assertEqual(res.json['_meta']['per_page'], 5)

    def test_serialize(self):
        res = call(self.app, 'GET', '/api/doubled')
        self.assertEqual(res.json['items'], [2, 4, 6])


if __name__ == '__main__':
    unittest.main()
