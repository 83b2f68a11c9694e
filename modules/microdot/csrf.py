"""Cross-Site Request Forgery (CSRF) protection from browser headers.

    cors = CORS(app, allowed_origins=['https://panel.example.com'])
    csrf = CSRF(app, cors)

State-changing requests (any method but GET, HEAD, OPTIONS and TRACE) are
refused with a 403 when the browser says they come from another site:
``Sec-Fetch-Site: cross-site``, or ``same-site`` unless
``allow_subdomains``. Without ``Sec-Fetch-Site`` (older browsers) the
``Origin`` header decides: this site, an origin the CORS extension allows,
or (with ``allow_subdomains``) a subdomain of either. A cross-site request
whose ``Origin`` the CORS extension lists by name passes too (its ``'*'``
does not count). Requests with
neither header do not come from a browser and pass: this protects browser
users from hostile pages, it does not authenticate anyone.
"""
from .helpers import MICROPYTHON
from .request import abort

_SAFE_METHODS = ('GET', 'HEAD', 'OPTIONS', 'TRACE')


class CSRF:
    """CSRF protection for an application (see the module docstring).

    ``protect_all=False`` checks only the routes decorated with
    :meth:`protect`; otherwise every route but those decorated with
    :meth:`exempt`.
    """

    def __init__(self, app=None, cors=None, protect_all=True,
                 allow_subdomains=False):
        self.cors = cors
        self.protect_all = protect_all
        self.allow_subdomains = allow_subdomains
        self.exempt_routes = []
        self.protected_routes = []
        if app is not None:
            self.initialize(app, cors)

    def initialize(self, app, cors=None):
        """Attach to ``app`` (when not given to the constructor)."""
        if cors is not None:
            self.cors = cors
        app.before_request(self._before)

    def exempt(self, f):
        """Decorator: never check this route. Put it right under the route
        decorator (it marks the function the route calls)."""
        self.exempt_routes.append(f)
        return f

    def protect(self, f):
        """Decorator: check this route even with ``protect_all=False``. Put
        it right under the route decorator."""
        self.protected_routes.append(f)
        return f

    def _check(self, request):
        if request.method in _SAFE_METHODS:
            return None
        handler = getattr(request.route, 'handler', request.route)
        if (handler in self.exempt_routes) if self.protect_all else \
                (handler not in self.protected_routes):
            return None
        if not self.allowed(request):
            abort(403)
        return None

    if MICROPYTHON:
        _before = _check  # a plain function runs inline: no coroutine
    else:
        async def _before(self, request):  # sync hooks go to a thread
            return self._check(request)

    def allowed(self, request):
        """True when ``request`` passes the check (whatever its method)."""
        request.vary.add('Sec-Fetch-Site')
        headers = request.headers
        site = headers.get('Sec-Fetch-Site')
        origin = headers.get('Origin')
        if site is not None:
            if site == 'same-origin' or site == 'none':
                return True
            site = site.strip().lower()
            if site == 'same-origin' or site == 'none':
                return True
            if site == 'same-site' and self.allow_subdomains:
                return True
            # cross-site (or same-site): only an origin CORS allows
            return origin is not None and self.cors is not None and \
                self._listed(origin)
        if origin is None:
            return True  # not a browser, or one that sends neither header
        from .cors import normalize_origin
        origin = normalize_origin(origin)  # None for 'null' and nonsense
        if origin is None:
            return False
        own = normalize_origin(request.scheme + '://' +
                               (headers.get('Host') or ''))
        if own is not None and (origin == own or (
                self.allow_subdomains and _subdomain(origin, own))):
            return True
        return self.cors is not None and self._listed(origin)

    def _listed(self, origin):
        # the origins CORS lists by name: its '*' does not open CSRF
        from .cors import normalize_origin
        origin = normalize_origin(origin)
        if origin is None:
            return False
        for base in self.cors._origins:
            if base == origin or (self.allow_subdomains and base and
                                  base != 'null' and _subdomain(origin, base)):
                return True
        return False


def _subdomain(origin, base):
    """True when ``origin`` is a subdomain of ``base`` (both normalized),
    with the same scheme and port: ``https://a.example.com`` of
    ``https://example.com``, never ``https://badexample.com``."""
    # 'https://a.example.com:8443' ends with '.example.com:8443' exactly
    # when the scheme and port match and the host is a subdomain
    scheme, _, host = base.partition('://')
    return origin.startswith(scheme + '://') and \
        origin.endswith('.' + host) and not host.startswith('[') and \
        (':' in host) == (':' in origin[len(scheme) + 3:])
