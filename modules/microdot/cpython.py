"""CPython's side of :mod:`microdot.helpers` and :mod:`microdot.server`
(never loaded on MicroPython: a module interns every name its code uses for
good, run or not, and holds all of its code while it is being imported)."""
import asyncio
import functools
import inspect
import time
import traceback

_is_async = {}


def wraps(wrapped):
    """CPython's :func:`microdot.helpers.wraps`: the decorated wrapper
    takes the wrapped function's name and doc."""
    def decorated(f):
        for attr in ('__name__', '__doc__', '__module__', '__qualname__'):
            try:
                setattr(f, attr, getattr(wrapped, attr))
            except (AttributeError, TypeError):
                pass
        return f
    return decorated


def ticks_ms():
    return int(time.monotonic() * 1000)


def ticks_add(ticks, delta):
    return ticks + delta


def ticks_diff(a, b):
    return a - b


async def invoke_handler(f, *args, **kwargs):
    """Call a sync or async handler and return its result.

    CPython runs sync handlers in the loop's thread pool executor, so a
    blocking handler does not stall other connections.
    """
    is_async = _is_async.get(f)
    if is_async is None:
        is_async = inspect.iscoroutinefunction(f) or \
            inspect.iscoroutinefunction(getattr(f, '__call__', None))
        if inspect.isfunction(f):  # bound methods are new objects
            _is_async[f] = is_async
    if is_async:
        return await f(*args, **kwargs)
    ret = await asyncio.get_running_loop().run_in_executor(
        None, functools.partial(f, *args, **kwargs))
    if inspect.iscoroutine(ret):
        ret = await ret
    return ret


def print_exception(exc):
    traceback.print_exception(type(exc), exc, exc.__traceback__)
async def listen(server, host, port, callback, ssl, start_serving):
    """Open the listening socket with asyncio; returns its server.

    ``server.shutdown()`` becomes safe to call from another thread (a
    test, a signal handler): the work is handed to the server's loop.
    """
    loop = asyncio.get_running_loop()
    server._stopped = asyncio.Event()
    shutdown_here = server.shutdown

    def shutdown():
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            shutdown_here()
        else:
            loop.call_soon_threadsafe(shutdown_here)

    server.shutdown = shutdown
    kwargs = {'ssl': ssl} if ssl else {}
    if not start_serving:
        kwargs['start_serving'] = False
    return await asyncio.start_server(callback, host, port, **kwargs)
