"""What middleware costs per request on MicroPython, against hook pairs.

    .venv/bin/python bench/bench_middleware.py [--requests N]

Runs the MicroPython unix port in subprocesses. Each variant is a hello
app served through the test client (no sockets) with the garbage
collector off, so ``gc.mem_alloc()`` deltas count every byte a request
allocates; time is the fastest of 40 batches, taken in turn
with the other variants (``time.ticks_us``). The
client's own work is the same in every variant of one framework: compare
the deltas from the "none" row.

Variants: no middleware; 1 and 3 "tag" middleware (set a response header
from a value chosen before the handler); the same done with 1 and 3
hand-written before/after hook pairs; the Timing middleware and the
timing hook pair of Microdot's documentation. Upstream Microdot 2.5.1
(``bench/.upstream``, ``make bench-deps``) runs the hook variants as a
black box, and our core from before the middleware plumbing (commit
``PRE_MIDDLEWARE``, from git) runs "none".

The "pays nothing" goal compares ``app.dispatch_request()`` alone (the
plumbing's home) with the core before the plumbing: the whole-request
figures also move with the rest of the core's changes since.

Goals (issue 12): an app that declares no middleware pays nothing; each
middleware costs less than the hook pair written by hand. Prints a
markdown table and the goals met/missed; writes
``bench/results/middleware.json``.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MICROPYTHON = os.path.join(ROOT, '.venv', 'bin', 'micropython')
UPSTREAM = os.path.join(HERE, '.upstream')
PRE_MIDDLEWARE = '087e3f8'  # the last commit before the plumbing

INNER = r'''
import gc, sys, time, json
import asyncio
from microdot import Microdot
from microdot.test_client import TestClient
N = %(n)d
VARIANTS = %(variants)r


def tag_hooks(app, k):
    for i in range(k):
        name = 'X-Tag%%d' %% i

        def make(name):
            async def before(req):
                setattr(req.g, name, 'v')

            async def after(req, res):
                res.headers[name] = getattr(req.g, name)
            return before, after
        before, after = make(name)
        app.before_request(before)
        app.after_request(after)


def tag_middleware(app, k):
    from microdot.middleware import Middleware

    class Tag(Middleware):
        def __init__(self, next_handler, name):
            super().__init__(next_handler)
            self.name = name

        async def __call__(self, req):
            value = 'v'
            res = await self.next_handler(req)
            res.headers[self.name] = value
            return res
    for i in range(k):
        app.add_middleware(Tag, name='X-Tag%%d' %% i)


def timing_hooks(app):
    async def start_timer(req):
        req.g.start = time.ticks_us()

    async def end_timer(req, res):
        res.headers['Server-Timing'] = 'app;dur=%%.3f' %% (
            time.ticks_diff(time.ticks_us(), req.g.start) / 1000)
    app.before_request(start_timer)
    app.after_request(end_timer)


def make(variant):
    app = Microdot()

    @app.get('/')
    async def index(req):
        return 'ok'
    if variant.startswith('hooks'):
        tag_hooks(app, int(variant[5:]))
    elif variant.startswith('mw'):
        tag_middleware(app, int(variant[2:]))
    elif variant == 'timing_hooks':
        timing_hooks(app)
    elif variant == 'timing_mw':
        from microdot.timing import Timing
        app.add_middleware(Timing)
    return app


async def batch(client, per):
    gc.collect()
    gc.disable()
    a = gc.mem_alloc()
    t = time.ticks_us()
    for _ in range(per):
        await client.get('/')
    dt = time.ticks_diff(time.ticks_us(), t)
    b = gc.mem_alloc() - a
    gc.enable()
    return dt, b


async def measure_all(variants):
    """Batches of every variant in turn (round robin), so a busy moment
    of the machine slows them all alike; the fastest batch counts."""
    clients = {}
    out = {}
    for v in variants:
        try:
            client = TestClient(make(v))
            for _ in range(20):
                res = await client.get('/')
            assert res.status_code == 200, res.status_code
            clients[v] = client
        except Exception as exc:
            out[v] = {'error': '%%s: %%s' %% (type(exc).__name__, exc)}
    per = max(1, N // 40)
    for _ in range(40):
        for v, client in clients.items():
            dt, b = await batch(client, per)
            best = out.get(v)
            if best is None:
                out[v] = best = {'us': dt, 'bytes': b}
            best['us'] = min(best['us'], dt)
            best['bytes'] = min(best['bytes'], b)
    for v in clients:
        out[v]['us'] /= per
        out[v]['bytes'] /= per
    return out


async def measure_dispatch():
    """app.dispatch_request() alone (where the middleware plumbing lives),
    on fresh requests built without a parser; the requests' own bytes are
    measured apart and taken off."""
    from microdot import Request, NoCaseDict
    app = make('none')

    def new():
        return Request(app, ('127.0.0.1', 1), 'GET', '/', '1.1',
                       NoCaseDict({'Host': 'x'}))
    for _ in range(20):
        await app.dispatch_request(new())
    best = None
    for _ in range(10):
        gc.collect()
        gc.disable()
        a = gc.mem_alloc()
        for _ in range(100):
            new()
        b = gc.mem_alloc()
        for _ in range(100):
            await app.dispatch_request(new())
        c = gc.mem_alloc()
        gc.enable()
        cost = ((c - b) - (b - a)) / 100
        best = cost if best is None else min(best, cost)
    return {'bytes': best}


async def main():
    plain = VARIANTS == ['none']
    out = await measure_all(VARIANTS)
    if plain:
        try:
            out['dispatch'] = await measure_dispatch()
        except Exception as exc:
            out['dispatch'] = {'error': '%%s: %%s' %% (type(exc).__name__,
                                                     exc)}
    if plain:
        out['_middleware_imported'] = 'microdot.middleware' in sys.modules
        gc.collect()
        base = gc.mem_alloc()
        try:
            import microdot.middleware
            import microdot.timing
            gc.collect()
            out['_import_bytes'] = gc.mem_alloc() - base
        except ImportError:
            pass
    print('RESULT ' + json.dumps(out))

asyncio.run(main())
'''

OURS = ['none', 'mw1', 'mw3', 'hooks1', 'hooks3', 'timing_mw',
        'timing_hooks']
HOOKS_ONLY = ['none', 'hooks1', 'hooks3', 'timing_hooks']
LABELS = {
    'none': 'no middleware, no hooks',
    'mw1': '1 tag middleware',
    'mw3': '3 tag middleware',
    'hooks1': '1 tag hook pair (by hand)',
    'hooks3': '3 tag hook pairs (by hand)',
    'timing_mw': 'Timing middleware',
    'timing_hooks': 'timing hook pair (docs example)',
}


def run_inner(path, variants, n):
    env = dict(os.environ, MICROPYPATH='.frozen:' + path)
    code = INNER % {'n': n, 'variants': variants}
    proc = subprocess.run([MICROPYTHON, '-X', 'heapsize=8M', '-c', code],
                          env=env, capture_output=True, text=True,
                          timeout=600)
    for line in proc.stdout.splitlines():
        if line.startswith('RESULT '):
            return json.loads(line[7:])
    return {'error': (proc.stdout + proc.stderr).strip()[-300:]}


def pre_middleware_core(tmp):
    """Our modules/ at PRE_MIDDLEWARE, extracted to ``tmp`` (None if git
    can not)."""
    try:
        archive = subprocess.run(
            ['git', '-C', ROOT, 'archive', PRE_MIDDLEWARE, 'modules'],
            capture_output=True, check=True, timeout=60).stdout
        subprocess.run(['tar', '-x', '-C', tmp], input=archive, check=True,
                       timeout=60)
        return os.path.join(tmp, 'modules')
    except (OSError, subprocess.SubprocessError):
        return None


def fmt(entry, key):
    if not entry or 'error' in entry:
        return 'n/a'
    value = entry[key]
    return '%.0f' % value if key == 'bytes' else '%.1f' % value


def delta(results, variant, key, k=1):
    a, b = results.get('none'), results.get(variant)
    if not a or not b or 'error' in a or 'error' in b:
        return None
    return (b[key] - a[key]) / k


def main(argv):
    n = 8000
    if '--requests' in argv:
        n = int(argv[argv.index('--requests') + 1])
    if not os.path.exists(MICROPYTHON):
        sys.exit('no MicroPython unix port at ' + MICROPYTHON)
    ours = run_inner(os.path.join(ROOT, 'modules'), OURS, n)
    plain = run_inner(os.path.join(ROOT, 'modules'), ['none'], n)
    upstream = run_inner(UPSTREAM, HOOKS_ONLY, n) \
        if os.path.isdir(UPSTREAM) else {'error': 'bench/.upstream missing '
                                         '(make bench-deps)'}
    tmp = tempfile.mkdtemp()
    try:
        old_path = pre_middleware_core(tmp)
        before = run_inner(old_path, ['none'], n) if old_path else \
            {'error': 'git archive failed'}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print('## Middleware cost per request (MicroPython unix port, test '
          'client, %d requests)\n' % n)
    print('| variant | ours bytes | ours us | upstream 2.5.1 bytes | '
          'upstream us |')
    print('| --- | ---: | ---: | ---: | ---: |')
    for v in OURS:
        print('| %s | %s | %s | %s | %s |' % (
            LABELS[v], fmt(ours.get(v), 'bytes'), fmt(ours.get(v), 'us'),
            fmt(upstream.get(v), 'bytes'), fmt(upstream.get(v), 'us')))
    print('| no middleware, our core before the plumbing (%s) | %s | %s '
          '| | |' % (PRE_MIDDLEWARE, fmt(before.get('none'), 'bytes'),
                     fmt(before.get('none'), 'us')))
    for name, res in (('ours', ours), ('upstream', upstream),
                      ('pre-middleware core', before)):
        if 'error' in res:
            print('\n%s: %s' % (name, res['error']))
    print('\nHeap taken by importing microdot.middleware + microdot.timing: '
          '%s bytes (paid only by an app that uses them)'
          % plain.get('_import_bytes', 'n/a'))

    d_now = (plain.get('dispatch') or {}).get('bytes')
    d_before = (before.get('dispatch') or {}).get('bytes')
    print('\napp.dispatch_request() alone, no middleware: %s B/request now, '
          '%s before the plumbing' % (d_now, d_before))
    goals = []
    plain_imports = plain.get('_middleware_imported')
    if d_now is not None and d_before is not None:
        goals.append((
            'an app with no middleware pays nothing: dispatch %.0f B/request '
            'now vs %.0f before the plumbing; microdot.middleware %s' % (
                d_now, d_before,
                'imported' if plain_imports else 'not imported'),
            d_now <= d_before and not plain_imports))
    for mw, hooks, k, what in (('mw1', 'hooks1', 1, 'tag, 1'),
                               ('mw3', 'hooks3', 3, 'tag, 3'),
                               ('timing_mw', 'timing_hooks', 1, 'timing')):
        for key, unit in (('bytes', 'B'), ('us', 'us')):
            m, h = delta(ours, mw, key, k), delta(ours, hooks, key, k)
            if m is None or h is None:
                continue
            goals.append((
                'each middleware costs less than a hook pair (%s, %s): '
                '%.1f %s vs %.1f %s' % (what, key, m, unit, h, unit),
                m < h))
    print('\n| goal | met? |')
    print('| --- | --- |')
    for text, ok in goals:
        print('| %s | %s |' % (text, 'met' if ok else 'MISSED'))

    os.makedirs(os.path.join(HERE, 'results'), exist_ok=True)
    with open(os.path.join(HERE, 'results', 'middleware.json'), 'w') as f:
        json.dump({'requests': n, 'ours': ours, 'upstream': upstream,
                   'pre_middleware': {'commit': PRE_MIDDLEWARE,
                                      'results': before},
                   'goals': [{'goal': t, 'met': ok} for t, ok in goals]},
                  f, indent=1, sort_keys=True)


if __name__ == '__main__':
    main(sys.argv[1:])
