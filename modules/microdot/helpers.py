"""Portability helpers: the few places where CPython and MicroPython differ.

CPython's versions live in :mod:`microdot.cpython`: a MicroPython module
interns every name its code uses for good, run or not, and holds all of its
code while it is imported (a def in a branch that does not run is freed
after that).
"""
import sys

MICROPYTHON = sys.implementation.name == 'micropython'


def add_methods(cls, extras):
    """Copy the methods of class ``extras`` into class ``cls``.

    A MicroPython module keeps every function it defines in RAM, called or
    not, so methods
    few apps call live in a companion class in a module of their own: on
    MicroPython the class's ``__getattr__`` imports it and adds them on
    first use; on CPython they are added when the class is defined.
    """
    for name, value in extras.__dict__.items():
        if not name.startswith('__'):
            setattr(cls, name, value)


def method_on_first_use(obj, cls, name, module, extras):
    """What a class's ``__getattr__`` returns for ``name`` on MicroPython:
    when class ``extras`` of module ``microdot.<module>`` has it, its
    methods are added to ``cls`` (:func:`add_methods`) and ``obj``'s
    attribute is returned; otherwise AttributeError."""
    if not name.startswith('__'):
        extras = getattr(__import__('microdot.' + module, None, None,
                                    [extras]), extras)
        if name in extras.__dict__:
            add_methods(cls, extras)
            return getattr(obj, name)
    raise AttributeError(name)


if MICROPYTHON:
    from time import ticks_ms, ticks_add, ticks_diff

    def wraps(wrapped):
        """A stand-in for ``functools.wraps``: a decorator that gives the
        wrapper the wrapped function's name and doc (on CPython:
        :func:`microdot.cpython.wraps`). MicroPython functions take no
        attributes, so here it returns the wrapper as it is."""
        return lambda f: f

    FUNCTION = type(wraps)
    GENERATOR = type((lambda: (yield))())
    print_exception = sys.print_exception

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
else:
    from .cpython import ticks_ms, ticks_add, ticks_diff, \
        invoke_handler, print_exception, wraps  # noqa: F401
