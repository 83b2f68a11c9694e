"""Set-Cookie headers: :meth:`Response.set_cookie` and
:meth:`Response.delete_cookie`, defined here and added to the class on
first use on MicroPython (see :func:`microdot.helpers.add_methods`)."""

_SEPARATORS = '()<>@,;:\\"/[]?={} \t'


def _check(what, text, forbidden):
    for c in forbidden:
        if c in text:
            raise ValueError('invalid character in cookie ' + what)


class CookieMethods:
    """The cookie methods of :class:`~microdot.Response`."""

    def set_cookie(self, cookie, value, path=None, domain=None, expires=None,
                   max_age=None, secure=False, http_only=False,
                   partitioned=False, same_site=None):
        """Add a ``Set-Cookie`` header.

        ``expires`` is a string in HTTP date format or an object with
        ``strftime`` (a datetime on CPython); ``max_age`` is in seconds.
        Raises ValueError for a name that is not an HTTP token, or a
        ``;``, CR or LF in the value, path or domain: data from a request
        put into a cookie must not add attributes, headers or a body
        (response splitting).
        """
        _set_cookie(self, cookie, value, path, domain, expires, max_age,
                    secure, http_only, partitioned, same_site)

    def delete_cookie(self, cookie, **kwargs):
        """Ask the client to forget ``cookie`` (path/domain as it was
        set)."""
        self.set_cookie(cookie, '', expires='Thu, 01 Jan 1970 00:00:01 GMT',
                        max_age=0, **kwargs)


def _set_cookie(response, cookie, value, path, domain, expires, max_age,
                secure, http_only, partitioned, same_site):
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
