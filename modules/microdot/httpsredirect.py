"""HTTPSRedirect middleware: send plain-HTTP requests to the HTTPS URL.

    from microdot.httpsredirect import HTTPSRedirect

    app = Microdot(middleware=[HTTPSRedirect])
    # behind a TLS-terminating proxy that sets X-Forwarded-Proto:
    app.add_middleware(HTTPSRedirect, trust_proxy=True)

The redirect keeps the host, path and query string. Put
:class:`~microdot.trustedhost.TrustedHost` before it so a forged Host header
can not turn it into a redirect to somebody else's site.
"""
from .middleware import Middleware
from .request import HTTPException
from .response import Response

# characters that can not appear in a host[:port] we echo into Location
_BAD_HOST = '/\\@?#% \t'


class HTTPSRedirect(Middleware):
    """Redirect requests that did not come over HTTPS.

    ``status_code`` is 307 by default (the method and body are kept; 308 for
    a permanent redirect). ``https_port`` replaces the port of the Host
    header (443 drops it; None keeps the port the client used, except 80).
    ``trust_proxy`` honours ``X-Forwarded-Proto`` from a proxy in front of
    the app; leave it off when clients reach the app directly, or any
    client could claim to be on HTTPS.
    """

    def __init__(self, next_handler, status_code=307, https_port=None,
                 trust_proxy=False):
        super().__init__(next_handler)
        self.status_code = status_code
        self.https_port = https_port
        self.trust_proxy = trust_proxy

    def is_secure(self, request):
        """Whether the request reached us (or the trusted proxy) on HTTPS."""
        if self.trust_proxy:
            proto = request.headers.get('X-Forwarded-Proto')
            if proto:
                # "https, http": the first proxy saw what the client used
                return proto.split(',')[0].strip().lower() in \
                    ('https', 'wss')
        return request.scheme == 'https'

    def location(self, request):
        """The HTTPS URL of ``request``."""
        host = request.headers.get('Host') or ''
        for c in host:
            if c in _BAD_HOST:
                host = ''
                break
        if not host:
            raise HTTPException(400, 'Invalid host header')
        if host.startswith('['):
            end = host.find(']') + 1
            name, port = host[:end], host[end + 1:]
        else:
            name, _, port = host.partition(':')
        if self.https_port is not None:
            port = str(self.https_port)
        if port in ('', '80', '443'):
            netloc = name
        else:
            netloc = name + ':' + port
        target = request.url
        if not target.startswith('/'):
            # absolute-form (http://host/path) keeps its path; '*' gets '/'
            i = target.find('://')
            i = target.find('/', i + 3) if i > 0 else -1
            target = target[i:] if i > 0 else '/'
        return 'https://' + netloc + target

    async def __call__(self, request):
        if self.is_secure(request):
            return await self.next_handler(request)
        return Response(status_code=self.status_code,
                        headers={'Location': self.location(request)})
