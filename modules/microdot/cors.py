"""Cross-Origin Resource Sharing (CORS).

    CORS(app, allowed_origins=['https://panel.example.com'],
         allow_credentials=True)

An origin is allowed only when it is listed: same scheme, host and port
(``https://a.example`` is not ``http://a.example`` nor
``https://a.example:8443``), and ``null`` only when ``'null'`` is listed.
With credentials the reply names the request's own origin, never ``*``.
Error responses carry the CORS headers too, so a page can read them.
"""


def normalize_origin(origin):
    """``scheme://host[:port]`` lower-cased, without the scheme's default
    port; None when ``origin`` is not an origin of that shape."""
    if not origin or len(origin) > 256:
        return None
    origin = origin.strip().lower()
    scheme, sep, host = origin.partition('://')
    if not sep or scheme not in ('http', 'https') or not host or \
            '/' in host or '@' in host or '\\' in host or ' ' in host:
        return None
    name, colon, port = host.rpartition(':')
    if colon and ']' not in port:
        if not port or port.strip('0123456789') or not name:
            return None
        if (scheme == 'http' and port == '80') or \
                (scheme == 'https' and port == '443'):
            host = name
    else:
        name = host
    if name.startswith('.') or name.endswith('.') or '..' in name:
        return None
    return scheme + '://' + host


class CORS:
    """CORS headers for an application.

    ``allowed_origins``: a list of origins, or ``'*'`` for any (with
    ``allow_credentials`` that means any site may act as the user: avoid);
    None allows none. ``allowed_methods`` / ``allowed_headers`` answer
    preflight requests (default: what the browser asks for),
    ``expose_headers`` lists response headers scripts may read,
    ``max_age`` lets browsers cache a preflight reply (seconds).
    ``handle_cors=False`` registers nothing: call :meth:`get_cors_headers`.
    """

    def __init__(self, app=None, allowed_origins=None,
                 allow_credentials=False, allowed_methods=None,
                 expose_headers=None, allowed_headers=None, max_age=None,
                 handle_cors=True):
        if isinstance(allowed_origins, str) and allowed_origins != '*':
            allowed_origins = [allowed_origins]
        self.allow_any = allowed_origins == '*'
        self.allowed_origins = allowed_origins
        self._origins = origins = []
        if not self.allow_any:
            for o in allowed_origins or ():
                origins.append(o if o == 'null' else normalize_origin(o))
        self.allow_credentials = allow_credentials
        self.allowed_methods = allowed_methods
        self.expose_headers = expose_headers
        self.allowed_headers = allowed_headers
        self.max_age = max_age
        if app is not None:
            self.initialize(app, handle_cors)

    def initialize(self, app, handle_cors=True):
        """Attach to ``app`` (when not given to the constructor)."""
        if handle_cors:
            app.options_handler = self.options_handler
            app.after_request(self._after)
            app.after_error_request(self._after)

    def origin_allowed(self, origin):
        """True when ``origin`` (an ``Origin`` header value) is allowed."""
        if not origin:
            return False
        if origin == 'null':
            return 'null' in self._origins
        if self.allow_any:
            return normalize_origin(origin) is not None
        origin = normalize_origin(origin)
        return origin is not None and origin in self._origins

    def get_cors_headers(self, request):
        """The CORS headers for the response to ``request`` (a dict)."""
        request.vary.add('Origin')
        method = request.headers.get('Access-Control-Request-Method')
        if request.method == 'OPTIONS' and method:
            # a preflight: its code is imported on first use (~0.4 KB)
            from ._cors_preflight import preflight_headers
            return preflight_headers(self, request, method)
        origin = request.headers.get('Origin')
        if origin is None or not self.origin_allowed(origin):
            return {}
        headers = {'Access-Control-Allow-Origin':
                   '*' if self.allow_any and not self.allow_credentials
                   else origin}
        if self.allow_credentials:
            headers['Access-Control-Allow-Credentials'] = 'true'
        if self.expose_headers:
            headers['Access-Control-Expose-Headers'] = \
                ', '.join(self.expose_headers)
        return headers

    async def options_handler(self, request):
        """The headers of the reply to an OPTIONS request no route
        handles: ``Allow`` plus, for a preflight, the CORS answer."""
        headers = request.app.default_options_handler(request)
        headers.update(self.get_cors_headers(request))
        return headers

    async def _after(self, request, response):
        try:
            headers = self.get_cors_headers(request)
        except Exception:  # never turn a reply into a 500 over CORS
            return response
        for name in headers:
            if name not in response.headers:
                response.headers[name] = headers[name]
        return response
