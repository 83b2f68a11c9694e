"""A device REST API: sensors as resources, token authentication.

    GET    /api/                      links to the collections
    POST   /api/tokens                Basic auth -> {"token", "expires"}
    DELETE /api/tokens                revoke the token sent (204)
    GET    /api/sensors               paginated list (?page=&per_page=)
    GET    /api/sensors/<id>          one sensor
    PATCH  /api/sensors/<id>          change its settings (JSON object)

Every /api route but POST /api/tokens needs ``Authorization: Bearer
<token>``; every error under /api is JSON (``{"error", "message"}``).
"""
from microdot import Microdot, abort
from microdot.auth import BasicAuth, TokenAuth, compare_digest
from microdot.rest import json_errors, paginate, error_response
from microdot.compress import GZip
from microdot.securityheaders import SecurityHeaders
from microdot.timing import Timing

from sensors import default_sensors
from tokenstore import TokenStore

#: username -> password. Change it before the board goes on a network.
USERS = {'admin': 'change-me'}
TOKEN_LIFETIME = 3600


def create_app(tokens_path='tokens.json', users=None, sensors=None):
    """The application: the API mounted at /api, JSON errors under it."""
    users = USERS if users is None else users
    sensors = default_sensors() if sensors is None else sensors
    by_id = {}
    for s in sensors:
        by_id[s.id] = s
    tokens = TokenStore(tokens_path)
    basic_auth = BasicAuth(realm='device')
    token_auth = TokenAuth()

    @basic_auth.authenticate
    async def verify_password(request, username, password):
        expected = users.get(username)
        if expected is not None and compare_digest(password, expected):
            return username

    @basic_auth.errorhandler
    async def basic_auth_error(request):
        return error_response(401, 'username and password required',
                              {'WWW-Authenticate': 'Basic realm="device"'})

    @token_auth.authenticate
    async def verify_token(request, token):
        return tokens.check(token)

    @token_auth.errorhandler
    async def token_auth_error(request):
        return error_response(401, 'a valid token is required')

    api = Microdot()

    # routes wrapped by an auth decorator get an explicit endpoint: on
    # MicroPython the wrapper can not take the handler's name

    @api.get('/', endpoint='index')
    async def index(request):
        return {'_links': {
            'tokens': request.url_for('api.get_token', _method='POST'),
            'sensors': request.url_for('api.get_sensors')}}

    @api.post('/tokens', endpoint='get_token')
    @basic_auth
    async def get_token(request):
        token, expires = tokens.issue(request.g.current_user,
                                      TOKEN_LIFETIME)
        return {'token': token, 'expires': expires,
                'expires_in': TOKEN_LIFETIME}

    @api.delete('/tokens', endpoint='revoke_token')
    @token_auth
    async def revoke_token(request):
        tokens.revoke(token_auth.credentials(request)[0])
        return '', 204

    @api.get('/sensors', endpoint='get_sensors')
    @token_auth
    async def get_sensors(request):
        url_for = request.url_for
        return paginate(request, sensors, 'api.get_sensors', per_page=5,
                        max_per_page=20,
                        serialize=lambda s: s.to_dict(url_for))

    def find(id):
        sensor = by_id.get(id)
        if sensor is None:
            abort(404, 'no sensor with id %d' % id)
        return sensor

    @api.get('/sensors/<int:id>', endpoint='get_sensor')
    @token_auth
    async def get_sensor(request, id):
        return find(id).to_dict(request.url_for)

    @api.route('/sensors/<int:id>', methods=['PATCH', 'PUT'],
               endpoint='update_sensor')
    @token_auth
    async def update_sensor(request, id):
        sensor = find(id)
        error = sensor.update(request.json)
        if error:
            abort(400, error)
        return sensor.to_dict(request.url_for)

    app = Microdot()
    app.mount(api, '/api', middleware=[
        Timing, (GZip, {'minimum_size': 500}),
        (SecurityHeaders, {'content_security_policy': "default-src 'none'",
                           'hsts_max_age': None})])
    json_errors(app, url_prefix='/api')

    @app.get('/')
    async def home(request):
        return {'api': request.url_for('api.index')}

    return app
