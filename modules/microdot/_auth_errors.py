"""The rare paths of :mod:`microdot.auth`, imported on first use: the
error response (with Basic's ``WWW-Authenticate`` challenge) and the
message for a route without a verify function."""
from .response import Response


def error_response(auth):
    """The default reply of ``auth`` to an unauthenticated request."""
    from .auth import BasicAuth
    headers = None
    if isinstance(auth, BasicAuth):
        realm = auth.realm.replace('\\', '\\\\').replace('"', '\\"')
        value = '%s realm="%s"' % (auth.scheme, realm)
        if auth.charset:
            value += ', charset="%s"' % auth.charset
        headers = {'WWW-Authenticate': value}
    return Response('Unauthorized', auth.error_status, headers)


def no_verify():
    raise RuntimeError('no verify function: register one with '
                       '@auth.authenticate')
