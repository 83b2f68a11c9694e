"""The decisions of :mod:`microdot.csrf` beyond the usual answers
(``Sec-Fetch-Site: same-origin`` or ``none``, or no header at all),
imported on first use: cross-site and same-site requests, and browsers that
send only ``Origin``."""
from .cors import normalize_origin
from .request import abort


def check(csrf, request):
    """Refuse ``request`` (abort 403) when its route is checked and it does
    not pass."""
    handler = getattr(request.route, 'handler', request.route)
    if ((handler not in csrf.exempt_routes) if csrf.protect_all else
            (handler in csrf.protected_routes)) and \
            not allowed(csrf, request):
        abort(403)


def allowed(csrf, request):
    """True when ``request`` passes the check of ``csrf``."""
    headers = request.headers
    site = headers.get('Sec-Fetch-Site')
    origin = headers.get('Origin')
    if site is not None:
        site = site.strip().lower()
        if site == 'same-origin' or site == 'none':
            return True
        if site == 'same-site' and csrf.allow_subdomains:
            return True
        # cross-site (or same-site): only an origin CORS allows
        return origin is not None and _listed(csrf, origin)
    if origin is None:
        return True  # not a browser, or one that sends neither header
    origin = normalize_origin(origin)  # None for 'null' and nonsense
    if origin is None:
        return False
    own = normalize_origin(request.scheme + '://' +
                           (headers.get('Host') or ''))
    if own is not None and (origin == own or (
            csrf.allow_subdomains and _subdomain(origin, own))):
        return True
    return _listed(csrf, origin)


def _listed(csrf, origin):
    # the origins CORS lists by name: its '*' does not open CSRF
    origin = normalize_origin(origin)
    if origin is None or csrf.cors is None:
        return False
    for base in csrf.cors._origins:
        if base == origin or (csrf.allow_subdomains and base and
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
