"""Helpers for JSON APIs: JSON error replies and paginated collections.

    from microdot import Microdot
    from microdot.rest import json_errors, paginate, abort

    app = Microdot()
    json_errors(app, url_prefix='/api')    # or json_errors(app): everywhere

    @app.get('/api/sensors')
    async def get_sensors(request):
        return paginate(request, SENSORS, serialize=Sensor.to_dict)

    @app.get('/api/sensors/<int:id>')
    async def get_sensor(request, id):
        if id not in SENSORS_BY_ID:
            abort(404, 'no sensor %d' % id)
        ...

Errors then answer, with the right status, as the Flask API tutorial does::

    {"error": "Not Found", "message": "no sensor 9"}
"""
import json

from .request import HTTPException, abort  # noqa: F401  (abort: re-exported)
from .response import Response, reason_phrase

# a message for errors that came with none (routing, the request parser)
_DEFAULT_MESSAGES = {
    400: 'The request could not be understood.',
    404: 'The requested URL was not found.',
    405: 'The method is not allowed for the requested URL.',
    413: 'The request body is too large.',
    500: 'The server could not complete the request.',
}

# the framework's default error bodies (upstream Microdot's texts)
_GENERIC = ('bad request', 'not found', 'payload too large',
            'internal server error')


def error_response(status_code, message=None, headers=None):
    """A JSON error response: ``{"error": <reason phrase>, "message": ...}``
    (the message only when given)."""
    payload = {'error': _phrase(status_code)}
    if message:
        payload['message'] = message
    return Response(payload, status_code, headers)


def bad_request(message):
    """A 400 :func:`error_response` with ``message``."""
    return error_response(400, message)


def _phrase(status_code):
    phrase = reason_phrase(status_code)
    return 'Unknown error' if phrase == 'N/A' else phrase


def _is_json(ctype):
    return ctype is not None and ctype.split(';')[0].strip().lower() in (
        'application/json', 'application/problem+json')


def to_json_error(response):
    """Turn an error response (status 400 or more) with a text, HTML or
    empty bytes body into a JSON error, in place: its text becomes the
    ``message`` when it says more than the reason phrase. JSON bodies,
    streamed bodies and other statuses are left alone; headers (``Allow``,
    ``WWW-Authenticate``) are kept."""
    status = response.status_code
    body = response.body
    if status < 400 or not isinstance(body, bytes):
        return response
    headers = response.headers
    ctype = headers.get('Content-Type') or response._ctype
    if _is_json(ctype):
        return response
    phrase = _phrase(status)
    message = None
    if ctype is None or ctype.lower().startswith('text/plain'):
        try:
            message = body.decode().strip()
        except UnicodeError:
            pass
    if message and (message.lower() == phrase.lower() or
                    message.lower() in _GENERIC):
        message = None  # a default body says nothing the error does not
    if not message:
        # a detail the framework put in the status line ('Invalid JSON
        # body'), else a default for the status
        reason = response.reason
        message = reason if reason and reason.lower() != phrase.lower() \
            else _DEFAULT_MESSAGES.get(status)
    payload = {'error': phrase}
    if message:
        payload['message'] = message
    response.body = json.dumps(payload).encode()
    headers['Content-Type'] = 'application/json; charset=UTF-8'
    if 'Content-Length' in headers:
        headers['Content-Length'] = str(len(response.body))
    return response


def json_errors(app, url_prefix=None):
    """Make the HTTP errors of ``app`` answer JSON (see
    :func:`to_json_error`): 404/405 from routing, 400/413 from the request
    parser, :func:`abort` with a message, unhandled exceptions (500) and
    error handlers that return text. With ``url_prefix`` only requests
    under it (a mounted API, ``'/api'``) are changed. Install it on the
    application that serves the requests (the one mounting the API): a
    404 for an unknown URL under the prefix reaches no sub-app. Returns
    the after-error-request hook it registered.

    A response with an error status that a handler (or an auth
    decorator) returns itself is not an error to the framework and is
    left as it is: build those with :func:`error_response` (an auth
    object's ``errorhandler`` can return one), or raise with
    :func:`abort`. (Checking every response would cost each request of
    the API a hook call and its headers dict.)"""
    prefix = url_prefix.rstrip('/') if url_prefix else ''

    async def json_error_hook(request, response):
        if prefix:
            path = request.path
            if not path.startswith(prefix) or \
                    path[len(prefix):len(prefix) + 1] not in ('', '/'):
                return response
        return to_json_error(response)

    app.after_error_request(json_error_hook)
    return json_error_hook


def _int_arg(request, name, default):
    value = request.args.get(name)
    if value is None or value == '':
        return default
    if value.strip('0123456789') or int(value) < 1:  # ASCII digits only
        abort(400, '%s must be a positive integer' % name)
    return int(value)


def paginate(request, items, endpoint=None, per_page=10, max_per_page=100,
             serialize=None, external=False, **values):
    """One page of a collection, as the Flask API tutorial shapes it::

        {"items": [...],
         "_meta": {"page": 2, "per_page": 10, "total_pages": 5,
                   "total_items": 42},
         "_links": {"self": "/api/sensors?page=2&per_page=10",
                    "next": "/api/sensors?page=3&per_page=10",
                    "prev": "/api/sensors?page=1&per_page=10"}}

    ``items`` is a list (or anything with ``len`` and slicing), or a
    callable ``items(offset, limit)`` returning ``(page_items, total)`` for
    data that should not all be loaded at once. The page and page size come
    from the ``page`` and ``per_page`` query arguments (defaults: 1 and
    ``per_page``; the size is capped at ``max_per_page``; anything but a
    positive integer is a 400). ``serialize`` turns each item into JSON
    data. Links are built with url_for: ``endpoint`` (default: the
    request's route) and ``values`` (its URL arguments), absolute when
    ``external``.
    """
    page = _int_arg(request, 'page', 1)
    size = min(_int_arg(request, 'per_page', per_page), max_per_page)
    offset = (page - 1) * size
    if callable(items):
        page_items, total = items(offset, size)
    else:
        total = len(items)
        page_items = items[offset:offset + size]
    page_items = list(page_items) if serialize is None else \
        [serialize(item) for item in page_items]
    pages = (total + size - 1) // size
    from .urlfor import url_for, current_endpoint
    if endpoint is None:
        endpoint = current_endpoint(request)
        if endpoint is None:
            raise ValueError('paginate() needs an endpoint= for its links')
    app = request.app

    def link(number):
        args = dict(values)
        args['page'] = number
        args['per_page'] = size
        if external:
            args['_external'] = True
        return url_for(app, endpoint, args, request)

    return {
        'items': page_items,
        '_meta': {'page': page, 'per_page': size, 'total_pages': pages,
                  'total_items': total},
        '_links': {'self': link(page),
                   'next': link(page + 1) if page < pages else None,
                   'prev': link(page - 1) if page > 1 else None},
    }

