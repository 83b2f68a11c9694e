"""Timing middleware: a ``Server-Timing`` header with the time the app took.

    from microdot.timing import Timing

    app = Microdot(middleware=[Timing])
    # Server-Timing: app;dur=1.234   (milliseconds; browsers' dev tools
    #                                 show it under "Timing")

Declared at the app level it times everything inside it (other
middleware, hooks and the handler); declared on a route, that route only.
Time spent streaming a body after the handler returns is not counted.
"""
from .middleware import Middleware
from .response import Response

try:
    from time import ticks_us, ticks_diff

    def _elapsed_ms(start):
        return ticks_diff(ticks_us(), start) / 1000

    _now = ticks_us
except ImportError:  # CPython
    from time import perf_counter as _now

    def _elapsed_ms(start):
        return (_now() - start) * 1000


class Timing(Middleware):
    """Add ``Server-Timing: <name>;dur=<ms>`` to every response.

    ``name`` is the metric name ('app'), ``description`` an optional
    ``desc`` for it. A Server-Timing header set by the handler is kept and
    this metric appended to it.
    """

    def __init__(self, next_handler, name='app', description=None):
        super().__init__(next_handler)
        prefix = name + ';'
        if description:
            prefix += 'desc="' + description.replace('"', "'") + '";'
        # one format per request: a single string allocated
        self.format = prefix.replace('%', '%%') + 'dur=%.3f'

    async def __call__(self, request):
        start = _now()
        res = await self.next_handler(request)
        if res is Response.already_handled:
            return res
        metric = self.format % _elapsed_ms(start)
        headers = res.headers
        current = headers.get('Server-Timing')
        headers['Server-Timing'] = current + ', ' + metric if current \
            else metric
        return res
