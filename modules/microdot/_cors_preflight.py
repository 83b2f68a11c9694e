"""The answer of :mod:`microdot.cors` to a preflight request, imported on
the first one."""


def preflight_headers(cors, request, method):
    """The CORS headers for the preflight ``request`` (an OPTIONS request
    with ``Access-Control-Request-Method: method``)."""
    vary = request.vary
    vary.add('Access-Control-Request-Method')
    vary.add('Access-Control-Request-Headers')
    origin = request.headers.get('Origin')
    if origin is None or not cors.origin_allowed(origin):
        return {}
    headers = {'Access-Control-Allow-Origin':
               '*' if cors.allow_any and not cors.allow_credentials
               else origin}
    if cors.allow_credentials:
        headers['Access-Control-Allow-Credentials'] = 'true'
    headers['Access-Control-Allow-Methods'] = \
        ', '.join(cors.allowed_methods) if cors.allowed_methods else method
    asked = request.headers.get('Access-Control-Request-Headers')
    if cors.allowed_headers:
        headers['Access-Control-Allow-Headers'] = \
            ', '.join(cors.allowed_headers)
    elif asked:
        headers['Access-Control-Allow-Headers'] = asked
    if cors.max_age is not None:
        headers['Access-Control-Max-Age'] = str(cors.max_age)
    return headers
