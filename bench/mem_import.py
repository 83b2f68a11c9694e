"""MicroPython: heap in use after importing a framework and its extensions.

    micropython mem_import.py [--path DIR]... [--floor] [EXT ...]

Prints `core BYTES` (gc.mem_alloc() growth, after gc.collect(), from
before `import microdot` to after it), one `ext NAME ok|ERROR` line per
extension tried, then `all BYTES` after all of them. With --floor, the
import measured is `asyncio` alone: what floor.py needs. The names given
are interned before the count starts, which lowers `core` by what they
share with the framework's own names: run it without names for `core`
(bench/run.py does).
"""
import gc
import sys


def main(argv):
    paths = []
    names = []
    floor = False
    i = 0
    while i < len(argv):
        if argv[i] == '--path':
            paths.append(argv[i + 1])
            i += 1
        elif argv[i] == '--floor':
            floor = True
        else:
            names.append(argv[i])
        i += 1
    sys.path[:0] = paths
    results = []
    gc.collect()
    gc.collect()
    base = gc.mem_alloc()
    if floor:
        import asyncio  # noqa: F401
    else:
        import microdot  # noqa: F401
    gc.collect()
    core = gc.mem_alloc() - base
    for name in names:
        try:
            __import__('microdot.' + name)
            results.append((name, 'ok'))
        except Exception as exc:  # an extension may need a missing library
            results.append((name, '%s: %s' % (type(exc).__name__, exc)))
    gc.collect()
    total = gc.mem_alloc() - base
    print('core', core)
    for name, status in results:
        print('ext', name, status)
    print('all', total)


main(sys.argv[1:])
