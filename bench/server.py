"""One benchmark server process, for CPython and MicroPython alike.

    server.py SIDE PORT [--path DIR]... [--probe PORT] [--nogc]

SIDE is `ours`, `upstream` (both serve app.py with whichever `microdot`
the --path folders put first on sys.path) or `floor` (floor.py). The
framework sides start with `app.run()` unless a probe is asked for.

--probe PORT  also listen on PORT; every connection there gets one line,
              "mem_alloc mem_free", and is closed (MicroPython RAM figures).
--nogc        disable the garbage collector once the server is listening,
              so gc.mem_alloc() deltas count every byte allocated.

Prints one line, `SIDE MODULE_FILE`, before serving, so the driver can
check which framework really got imported.
"""
import sys
import gc
import asyncio

HOST = '127.0.0.1'


def parse(argv):
    if len(argv) < 2 or argv[0] not in ('ours', 'upstream', 'floor'):
        print('usage: server.py ours|upstream|floor PORT [--path DIR]... '
              '[--probe PORT] [--nogc]')
        sys.exit(2)
    opts = {'side': argv[0], 'port': int(argv[1]), 'path': [],
            'probe': None, 'nogc': False}
    i = 2
    while i < len(argv):
        if argv[i] == '--path':
            opts['path'].append(argv[i + 1])
            i += 1
        elif argv[i] == '--probe':
            opts['probe'] = int(argv[i + 1])
            i += 1
        elif argv[i] == '--nogc':
            opts['nogc'] = True
        else:
            print('unknown option', argv[i])
            sys.exit(2)
        i += 1
    return opts


async def probe_handler(reader, writer):
    line = '%d %d\n' % (gc.mem_alloc(), gc.mem_free())
    writer.write(line.encode())
    await writer.drain()
    writer.close()
    await writer.wait_closed()


async def main(opts, start):
    if opts['probe']:
        await asyncio.start_server(probe_handler, HOST, opts['probe'])
    if opts['nogc']:
        gc.collect()
        gc.disable()
    await start()


def run():
    opts = parse(sys.argv[1:])
    sys.path[:0] = opts['path']
    if opts['side'] == 'floor':
        import floor

        async def start():
            await floor.start(HOST, opts['port'])
            while True:
                await asyncio.sleep(3600)

        print('floor', floor.__file__)
        asyncio.run(main(opts, start))
        return
    import microdot
    from app import app
    print(opts['side'], getattr(microdot, '__file__', '(frozen)'))
    if opts['probe'] or opts['nogc']:
        asyncio.run(main(opts, lambda: app.start_server(
            host=HOST, port=opts['port'])))
    else:
        app.run(host=HOST, port=opts['port'])


run()
