"""Composing an application: mounted sub-applications, middleware stacks
and the Vary header. Imported by the apps that use them."""
from .routing import URLPattern, Route


def mount(app, subapp, url_prefix, local, middleware, name):
    """The body of :meth:`Microdot.mount`."""
    if name is None:
        name = url_prefix.strip('/').replace('/', '.')
    outer = list(middleware or ()) + subapp.middleware
    for route in subapp.url_map:
        app.url_map.append(Route(
            route.methods, URLPattern(url_prefix + route.pattern.url_pattern),
            route.handler,
            name + '.' + route.endpoint if name and route.endpoint
            else route.endpoint,
            url_prefix + route.url_prefix, route.subapp or subapp,
            (app,) + (route.chain if local else route.chain[1:]),
            outer + list(route.middleware)))
    if not local:
        app.before_request_handlers += subapp.before_request_handlers
        app.after_request_handlers += subapp.after_request_handlers
        app.after_error_request_handlers += \
            subapp.after_error_request_handlers
        app.error_handlers.update(subapp.error_handlers)


def build_stack(app, route):
    """The middleware of ``app`` and of ``route`` (None: a request no route
    matched) around the app's endpoint, outermost first. The innermost
    calls :meth:`Microdot.dispatch_request` again, which then runs the
    hooks and the handler only."""
    mws = list(app.middleware) + list(route.middleware if route else ())
    handler = app.dispatch_request
    for entry in reversed(mws):
        cls, options = entry if isinstance(entry, tuple) else (entry, {})
        handler = cls(handler, **options)
    return handler


def merge_vary(res, names):
    """Add request header ``names`` to the response's ``Vary`` header,
    once each (case-insensitively). A response without a headers dict keeps
    its one-piece cached head (a headers dict would cost ~1.9 KB and tens
    of microseconds per request on MicroPython)."""
    headers = res._headers
    plain = headers is None and isinstance(res.body, bytes)
    value = res._vary if plain else res.headers.get('Vary')
    if not value and len(names) == 1:
        # the usual case (one extension asked): no lists, no sorting
        for value in names:
            pass
        if plain:
            res._vary = value
        else:
            res.headers['Vary'] = value
        return
    if value == '*':
        return
    have = [v.strip() for v in value.split(',')] if value else []
    lower = [v.lower() for v in have]
    for name in sorted(names):
        if name.lower() not in lower:
            have.append(name)
            lower.append(name.lower())
    if plain:
        res._vary = ', '.join(have)
    else:
        res.headers['Vary'] = ', '.join(have)
