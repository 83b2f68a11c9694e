"""Set-Cookie headers (imported by the first ``set_cookie()``)."""


def set_cookie(response, cookie, value, path, domain, expires, max_age,
               secure, http_only, partitioned, same_site):
    """The body of :meth:`Response.set_cookie`."""
    parts = [cookie + '=' + value]
    if path:
        parts.append('Path=' + path)
    if domain:
        parts.append('Domain=' + domain)
    if expires:
        if hasattr(expires, 'strftime'):
            expires = expires.strftime('%a, %d %b %Y %H:%M:%S GMT')
        parts.append('Expires=' + expires)
    if max_age is not None:
        parts.append('Max-Age=' + str(max_age))
    if secure:
        parts.append('Secure')
    if http_only:
        parts.append('HttpOnly')
    if partitioned:
        parts.append('Partitioned')
    if same_site:
        parts.append('SameSite=' + same_site)
    cookies = response.headers.get('Set-Cookie')
    if cookies is None:
        response.headers['Set-Cookie'] = cookies = []
    elif not isinstance(cookies, list):
        response.headers['Set-Cookie'] = cookies = [cookies]
    cookies.append('; '.join(parts))
