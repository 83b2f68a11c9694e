"""Writing a session: the methods of :class:`~microdot.session.Session`
that change it.

``update()``, ``delete()`` and ``cookie_args()`` are methods of the session
extension like any other. A MicroPython module keeps every function it
defines in RAM, called or not, and most requests only read their session:
on MicroPython the extension's ``__getattr__`` imports this module and adds
them to the class the first time one is used (an app that never writes a
session holds ~500 bytes less heap on a board); on CPython they are added
when :mod:`microdot.session` is imported.
"""
from .session import SessionDict, encode


class SessionWrite:
    """The methods above, copied into :class:`~microdot.session.Session`."""

    def update(self, request, session):
        """Store ``session`` (a dict) as the session of ``request``; the
        cookie is sent with the response."""
        g = request.g
        if session is not False:  # False: delete() asks for removal
            if not isinstance(session, SessionDict):
                session = SessionDict(request, session)
            g._session = session
        # one after-request handler per request, however many saves
        if getattr(g, '_sess_out', None) is None:
            request.after_request(self._finish)
        g._sess_out = session
        return session

    def delete(self, request):
        """Remove the session: the client is told to drop its cookie."""
        self.get(request).clear()
        self.update(request, False)

    def cookie_args(self, request):
        """The ``set_cookie()`` keyword arguments for ``request``."""
        options = {'path': '/', 'http_only': True, 'same_site': 'Lax',
                   'secure': request.scheme == 'https'}
        options.update(self.cookie_options)
        return options

    async def _finish(self, request, response):
        value = request.g._sess_out
        options = self.cookie_args(request)
        if value is False:
            options.pop('max_age', None)
            options.pop('expires', None)
            response.delete_cookie(self.cookie_name, **options)
        else:
            # a plain dict: MicroPython's dict() and json take no subclass
            data = {}
            for key in value:
                data[key] = value[key]
            response.set_cookie(self.cookie_name,
                                encode(data, self.secret_key), **options)
        return response
