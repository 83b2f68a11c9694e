"""TrustedHost middleware: answer 400 unless the Host header is one of ours.

    from microdot.trustedhost import TrustedHost

    app = Microdot(middleware=[
        (TrustedHost, {'allowed_hosts': ['example.com', '*.example.com']})])

A forged ``Host`` header could otherwise end up in redirects and absolute
links (``url_for(..., _external=True)``): put this middleware first.
"""
from .middleware import Middleware, request_host
from .request import HTTPException


class TrustedHost(Middleware):
    """Let through requests whose ``Host`` (without its port) is in
    ``allowed_hosts``: exact names, ``'*.example.com'`` for any subdomain
    of example.com (not example.com itself), or ``'*'`` for any host.
    Other requests end with HTTP 400 through the app's error handlers."""

    def __init__(self, next_handler, allowed_hosts=('*',)):
        super().__init__(next_handler)
        if isinstance(allowed_hosts, str):
            allowed_hosts = [allowed_hosts]
        self.exact = set()
        self.suffixes = []
        self.any = False
        for host in allowed_hosts:
            host = host.lower()
            if host == '*':
                self.any = True
            elif host.startswith('*.'):
                self.suffixes.append(host[1:])  # '.example.com'
            elif '*' in host:
                raise ValueError('a wildcard must be a whole first label: '
                                 + host)
            else:
                self.exact.add(host)

    def allowed(self, host):
        """Whether ``host`` (lower case, no port) may be served."""
        if self.any:
            return True
        if host in self.exact:
            return True
        for suffix in self.suffixes:
            if host.endswith(suffix) and len(host) > len(suffix):
                return True
        return False

    async def __call__(self, request):
        if not self.any and not self.allowed(request_host(request)):
            raise HTTPException(400, 'Invalid host header')
        return await self.next_handler(request)
