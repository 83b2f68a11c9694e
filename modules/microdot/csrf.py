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
            self.initialize(app)

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
        if request.method not in ('GET', 'HEAD', 'OPTIONS', 'TRACE'):
            # the answer depends on Sec-Fetch-Site: say so (Microdot 2.7)
            request.vary.add('Sec-Fetch-Site')
            headers = request.headers
            site = headers.get('Sec-Fetch-Site')
            # the usual answers are decided here: same-origin or none, or
            # no header at all (not a browser); the rest on first use
            if site != 'same-origin' and site != 'none' and (
                    site is not None or headers.get('Origin') is not None):
                from ._csrf_origin import check
                check(self, request)

    if MICROPYTHON:
        _before = _check  # a plain function runs inline: no coroutine
    else:
        async def _before(self, request):  # sync hooks go to a thread
            return self._check(request)

    def allowed(self, request):
        """True when ``request`` passes the check (whatever its method).
        Adds ``Sec-Fetch-Site`` to the response's ``Vary``: a route that
        calls this for a safe method answers by it."""
        request.vary.add('Sec-Fetch-Site')
        from ._csrf_origin import allowed
        return allowed(self, request)
