"""Portability helpers: the few places where CPython and MicroPython differ."""
import asyncio
import sys

MICROPYTHON = sys.implementation.name == 'micropython'

if MICROPYTHON:
    from time import ticks_ms, ticks_add, ticks_diff

    def _plain():
        pass

    FUNCTION = type(_plain)
    GENERATOR = type((lambda: (yield))())

    async def invoke_handler(f, *args, **kwargs):
        """Call a sync or async handler and return its result.

        MicroPython runs sync handlers inline. An ``async def`` handler
        returns a generator, which is awaited; a plain ``def`` is never
        awaited, so it may return a generator to stream a response.
        """
        ret = f(*args, **kwargs)
        if type(ret) is GENERATOR and type(f) is not FUNCTION:
            ret = await ret
        return ret

    def print_exception(exc):
        sys.print_exception(exc)
else:
    import functools
    import inspect
    import time
    import traceback

    _is_async = {}

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


def wraps(wrapped):
    """A stand-in for ``functools.wraps`` that works on MicroPython too:
    the decorated wrapper takes the wrapped function's name and doc."""
    def decorator(wrapper):
        for attr in ('__name__', '__doc__', '__module__', '__qualname__'):
            try:
                setattr(wrapper, attr, getattr(wrapped, attr))
            except (AttributeError, TypeError):
                pass  # MicroPython functions take no attributes
        return wrapper
    return decorator
