"""SecurityHeaders middleware: the usual protective response headers.

    from microdot.securityheaders import SecurityHeaders

    app = Microdot(middleware=[(SecurityHeaders, {
        'content_security_policy': {'default-src': "'self'",
                                    'img-src': ["'self'", 'data:']},
        'frame_options': 'SAMEORIGIN'})])

Every header is an option; None leaves it out. A header the handler set
itself is kept.
"""
from .middleware import Middleware
from .response import Response


class SecurityHeaders(Middleware):
    """Add security headers to every response.

    - ``hsts_max_age`` (seconds, default a year), ``hsts_include_subdomains``
      (True), ``hsts_preload`` (False): ``Strict-Transport-Security``,
      sent on HTTPS requests only (browsers ignore it on plain HTTP) unless
      ``hsts_always`` (for an app behind a TLS proxy); None: no HSTS.
    - ``content_security_policy``: a string, or a dict of directive ->
      value or list of values (default ``"default-src 'self'"``).
    - ``content_type_options``: ``'nosniff'``.
    - ``referrer_policy``: ``'strict-origin-when-cross-origin'``.
    - ``frame_options``: ``'DENY'`` (``X-Frame-Options``).
    - ``headers``: a dict of more headers to add.
    """

    def __init__(self, next_handler, hsts_max_age=31536000,
                 hsts_include_subdomains=True, hsts_preload=False,
                 hsts_always=False,
                 content_security_policy="default-src 'self'",
                 content_type_options='nosniff',
                 referrer_policy='strict-origin-when-cross-origin',
                 frame_options='DENY', headers=None):
        super().__init__(next_handler)
        # the header list is built once: a request only copies it
        self.hsts = None
        if hsts_max_age is not None:
            value = 'max-age=%d' % hsts_max_age
            if hsts_include_subdomains:
                value += '; includeSubDomains'
            if hsts_preload:
                value += '; preload'
            self.hsts = value
        self.hsts_always = hsts_always
        csp = content_security_policy
        if isinstance(csp, dict):
            parts = []
            for directive in sorted(csp):
                value = csp[directive]
                if isinstance(value, (list, tuple)):
                    value = ' '.join(value)
                parts.append((directive + ' ' + value).strip())
            csp = '; '.join(parts)
        items = []
        for name, value in (('Content-Security-Policy', csp),
                            ('X-Content-Type-Options', content_type_options),
                            ('Referrer-Policy', referrer_policy),
                            ('X-Frame-Options', frame_options)):
            if value is not None:
                items.append((name, value))
        if headers:
            items += list(headers.items())
        self.items = items

    async def __call__(self, request):
        res = await self.next_handler(request)
        if res is Response.already_handled:
            return res
        headers = res.headers
        for name, value in self.items:
            if name not in headers:
                headers[name] = value
        if self.hsts is not None and (self.hsts_always or
                                      request.scheme == 'https') and \
                'Strict-Transport-Security' not in headers:
            headers['Strict-Transport-Security'] = self.hsts
        return res
