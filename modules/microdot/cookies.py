"""Set-Cookie headers (imported by the first ``set_cookie()``)."""

_SEPARATORS = '()<>@,;:\\"/[]?={} \t'


def _check(what, text, forbidden):
    for c in forbidden:
        if c in text:
            raise ValueError('invalid character in cookie ' + what)


def set_cookie(response, cookie, value, path, domain, expires, max_age,
               secure, http_only, partitioned, same_site):
    """The body of :meth:`Response.set_cookie`.

    Raises ValueError for a name that is not an HTTP token, and for ``;``,
    CR or LF in the value, path or domain: data from a request put into a
    cookie must not add attributes, headers or a body (response splitting).
    """
    if not cookie:
        raise ValueError('empty cookie name')
    for c in cookie:
        if c in _SEPARATORS or c < '!' or c > '~':
            raise ValueError('invalid cookie name')
    value = str(value)
    _check('value', value, ';\r\n')
    parts = [cookie + '=' + value]
    if path:
        _check('path', path, ';\r\n')
        parts.append('Path=' + path)
    if domain:
        _check('domain', domain, ';\r\n')
        parts.append('Domain=' + domain)
    if expires:
        if hasattr(expires, 'strftime'):
            expires = expires.strftime('%a, %d %b %Y %H:%M:%S GMT')
        _check('expires', expires, ';\r\n')
        parts.append('Expires=' + expires)
    if max_age is not None:
        parts.append('Max-Age=' + str(int(max_age)))
    if secure:
        parts.append('Secure')
    if http_only:
        parts.append('HttpOnly')
    if partitioned:
        parts.append('Partitioned')
    if same_site:
        _check('SameSite', same_site, ';\r\n')
        parts.append('SameSite=' + same_site)
    cookies = response.headers.get('Set-Cookie')
    if cookies is None:
        response.headers['Set-Cookie'] = cookies = []
    elif not isinstance(cookies, list):
        response.headers['Set-Cookie'] = cookies = [cookies]
    cookies.append('; '.join(parts))
