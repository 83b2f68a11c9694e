"""Benchmark driver: ours vs upstream Microdot 2.5.1 vs a bare asyncio floor.

    python bench/run.py [--rounds K] [--duration S] [--only RUNTIME]...
                        [--skip-load] [--skip-ram] [--skip-profile]
                        [--no-readme] [--from-json PATH]

Runs under the project venv's CPython (make bench does this). For each
runtime (MicroPython unix from PyPI, the frozen UNIX image when it has been
built, CPython) it starts one server per side, then loads them with wrk on
127.0.0.1 in many short rounds, the sides taking turns in a different order
each round; ratios are taken within a round and summarised by their median
and a distribution-free confidence interval. Then, on MicroPython, the RAM
figures. Writes bench/results/latest.{json,md,png} and, when README.md has
the bench markers, the table between them.
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import httpclient  # noqa: E402
import report  # noqa: E402
import servers  # noqa: E402
from servers import Server, ServerError  # noqa: E402

SIDES = ('ours', 'upstream', 'floor')
SCENARIOS = (
    # name, connections, Connection: close on every request
    ('c1 keep-alive', 1, False),
    ('c16 keep-alive', 16, False),
    ('c1 close', 1, True),
    ('c16 close', 16, True),
)
# Microdot's documented extensions: the common yardstick for heap figures.
EXTENSIONS = ('multipart', 'websocket', 'sse', 'utemplate', 'jinja',
              'session', 'auth', 'login', 'cors', 'csrf', 'test_client',
              'asgi', 'wsgi')
WRK_LUA = os.path.join(servers.BENCH, 'wrk_report.lua')
RESULTS = os.path.join(servers.BENCH, 'results')


def log(*args):
    print(*args, flush=True)


# ---------------------------------------------------------------- setup

def prepare_upstream_mpy():
    """Compile upstream's package with mpy-cross into .upstream/mpy/."""
    src = os.path.join(servers.UPSTREAM, 'microdot')
    if not os.path.exists(os.path.join(src, '__init__.py')):
        sys.exit('upstream Microdot 2.5.1 missing in bench/.upstream: run '
                 '`make bench` (it installs it there with pip)')
    sys.path.insert(0, os.path.join(servers.ROOT, 'tools'))
    from mpy_compile import compile_tree
    compile_tree(src, os.path.join(servers.UPSTREAM_MPY, 'microdot'))


def ours_status(rt, load):
    """None when our framework imports and has app.run on rt, else why not."""
    paths = rt.loads[load]['ours']
    code = ('import sys; sys.path[:0] = %r; import microdot; '
            'microdot.Microdot().run; print(getattr(microdot, "__file__", '
            '"(frozen)"))' % (paths,))
    try:
        out = subprocess.run(rt.cmd + ['-c', code], capture_output=True,
                             text=True, env=rt.env(), timeout=60,
                             cwd=servers.BENCH)
    except subprocess.TimeoutExpired:
        return 'import microdot timed out'
    if out.returncode != 0:
        lines = (out.stderr or out.stdout).strip().splitlines()
        return 'import microdot failed: ' + (lines[-1] if lines else '?')
    if load == 'frozen' and out.stdout.strip().startswith('/'):
        return 'microdot is not frozen in this image'
    return None


def module_matches(side, load, module_file):
    if side == 'upstream':
        return module_file.startswith(servers.UPSTREAM)
    if side == 'ours':
        if load == 'frozen':
            return not module_file.startswith('/')
        return module_file.startswith(servers.ROOT + '/modules') or \
            module_file.startswith(servers.OURS_MPY)
    return module_file.endswith('floor.py')


def side_paths(rt, side, load):
    return [] if side == 'floor' else rt.loads[load][side]


def start_side(rt, side, load, **kw):
    srv = Server(rt, side, side_paths(rt, side, load), **kw).start()
    if not module_matches(side, load, srv.module_file()):
        srv.stop()
        raise ServerError('%s imported the wrong framework: %r' % (
            side, srv.module_file()))
    return srv


# ---------------------------------------------------------------- speed

def wrk(port, conns, close, duration):
    cmd = ['wrk', '-t1', '-c%d' % conns, '-d%ds' % duration, '--timeout',
           '5s', '-s', WRK_LUA]
    if close:
        cmd += ['-H', 'Connection: close']
    cmd.append('http://127.0.0.1:%d/' % port)
    out = subprocess.run(cmd, capture_output=True, text=True,
                         timeout=duration + 30)
    for line in out.stdout.splitlines():
        if line.startswith('WRKJSON '):
            res = json.loads(line[8:])
            good = res['requests'] - res['errors']['status']
            res['rps'] = good / (res['duration_us'] / 1e6)
            return res
    raise RuntimeError('wrk gave no result: %s %s' % (out.stdout[-300:],
                                                      out.stderr[-300:]))


def round_order(names, r):
    """The order the sides run in round r.

    Ours and upstream swap places every round (A/B, B/A, ...); the floor
    moves through every position every six rounds.
    """
    pair = [n for n in names if n != 'floor']
    if r % 2:
        pair.reverse()
    if 'floor' in names:
        pair.insert((r // 2) % (len(pair) + 1), 'floor')
    return pair


def load_phase(rt, sides, args):
    """Interleaved wrk rounds for every scenario; returns raw runs."""
    load = rt.speed_load
    running = {}
    out = {'load': load, 'behaviour': {}, 'runs': {}, 'peak_rss_kb': {},
           'errors': []}
    for side in sides:
        try:
            running[side] = start_side(rt, side, load, tag='-load')
        except ServerError as exc:
            out['errors'].append(str(exc))
            log('  !', exc)
    try:
        for side, srv in running.items():
            out['behaviour'][side] = httpclient.keepalive_behaviour(srv.port)
            wrk(srv.port, 4, False, 1)  # warm-up, not recorded
        names = list(running)
        for scenario, conns, close in SCENARIOS:
            runs = out['runs'][scenario] = {s: [] for s in names}
            for r in range(args.rounds):
                for side in round_order(names, r):
                    srv = running[side]
                    if not srv.alive():
                        runs[side].append(None)
                        continue
                    cpu0 = srv.cpu_seconds()
                    res = wrk(srv.port, conns, close, args.duration)
                    cpu1 = srv.cpu_seconds()
                    done = res['requests'] or 1
                    res['cpu_us_per_req'] = (cpu1 - cpu0) * 1e6 / done
                    res['round'] = r
                    runs[side].append(res)
            log('  %-15s %s' % (scenario, '  '.join(
                '%s %.0f/s' % (s, report.median_of(runs[s], 'rps') or 0)
                for s in names)))
        for side, srv in running.items():
            if srv.alive():
                out['peak_rss_kb'][side] = srv.peak_rss_kb()
            else:
                out['errors'].append('%s server died: %s' % (
                    side, srv.log_tail()))
    finally:
        for srv in running.values():
            srv.stop()
    return out


# ---------------------------------------------------------------- RAM

def mem_import(rt, paths, names, floor=False):
    argv = [os.path.join(servers.BENCH, 'mem_import.py')]
    for p in paths:
        argv += ['--path', p]
    if floor:
        argv.append('--floor')
    out = subprocess.run(rt.argv(argv + list(names), heap_kb=16 * 1024),
                         capture_output=True, text=True, env=rt.env(),
                         cwd=servers.BENCH, timeout=120)
    res = {'ext': {}}
    for line in out.stdout.splitlines():
        parts = line.split(None, 2)
        if parts[0] in ('core', 'all'):
            res[parts[0]] = int(parts[1])
        elif parts[0] == 'ext':
            res['ext'][parts[1]] = parts[2]
    if 'all' not in res:
        res['error'] = (out.stderr or out.stdout).strip()[-300:]
    return res


def package_modules(side):
    folder = os.path.join(servers.OURS_PY if side == 'ours'
                          else servers.UPSTREAM, 'microdot')
    return sorted(n[:-3] for n in os.listdir(folder)
                  if n.endswith('.py') and n != '__init__.py')


def import_heap(rt, sides, ours_missing):
    """Heap after import: core, every module present, common extensions."""
    res = {}
    for load in rt.loads:
        res[load] = per = {}
        for side in sides:
            if side == 'floor' or side == 'ours' and load in ours_missing:
                continue
            paths = side_paths(rt, side, load)
            per[side] = mem_import(rt, paths, package_modules(side))
            # the core alone, in a process of its own: the module names
            # given on the command line are interned before the count
            # starts, so with ours (45 names against upstream's 16) the
            # import looked 1.7 KB lighter than it is
            per[side]['core'] = mem_import(rt, paths, []).get('core')
        common = [n for n in EXTENSIONS if all(
            per[s]['ext'].get(n) == 'ok' for s in per)]
        for side in per:
            per[side]['common'] = mem_import(
                rt, side_paths(rt, side, load), common).get('all')
        per['common_extensions'] = common
        per['floor'] = mem_import(rt, [], [], floor=True)
    return res


def alloc_per_request(rt, side, load, n):
    """Bytes allocated per request with gc disabled (server-side probe)."""
    srv = start_side(rt, side, load, heap_kb=64 * 1024, probe=True,
                     nogc=True, tag='-alloc')
    try:
        res = {}
        for close in (False, True):
            client = httpclient.Client(srv.port, close=close)
            for _ in range(20):
                client.get()
            client.shutdown()
            p0 = httpclient.probe(srv.probe_port)[0]
            p1 = httpclient.probe(srv.probe_port)[0]
            client = httpclient.Client(srv.port, close=close)
            for _ in range(n):
                status, _, body = client.get()
                if not httpclient.check_ok(status, body):
                    raise ServerError('bad response %s %r' % (status, body))
            client.shutdown()
            p2 = httpclient.probe(srv.probe_port)[0]
            probe_cost = p1 - p0
            res['close' if close else 'keep-alive'] = {
                'bytes_per_request': (p2 - p1 - probe_cost) / n,
                'probe_cost': probe_cost, 'requests': n,
                'connections': client.connections}
        return res
    finally:
        srv.stop()


def serves(rt, side, load, heap_kb, n=500):
    """True when the server answers n sequential requests in heap_kb."""
    try:
        srv = start_side(rt, side, load, heap_kb=heap_kb, tag='-heap',
                         port=None)
    except ServerError:
        return False
    try:
        client = httpclient.Client(srv.port, timeout=3)
        deadline = time.monotonic() + 60
        for _ in range(n):
            status, _, body = client.get()
            if not httpclient.check_ok(status, body) or \
                    time.monotonic() > deadline:
                return False
        client.shutdown()
        return srv.alive()
    except (httpclient.HTTPError, OSError, ValueError):
        return False
    finally:
        srv.stop()


def smallest_heap(rt, side, load, lo=4, hi=256, limit=2048):
    """Smallest -X heapsize (KB, 1 KB steps) serving 500 requests."""
    while not serves(rt, side, load, hi):
        if hi >= limit:
            return None
        lo, hi = hi, hi * 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if serves(rt, side, load, mid):
            hi = mid
        else:
            lo = mid
    return hi


def ram_phase(rt, sides, args, ours_missing):
    out = {'import': import_heap(rt, sides, ours_missing), 'alloc': {},
           'smallest_heap_kb': {}}
    log('  heap after import measured')
    for side in sides:
        for attempt in (1, 2):  # one retry: a loaded machine can stall a run
            try:
                out['alloc'][side] = alloc_per_request(
                    rt, side, rt.speed_load, args.alloc_requests)
                break
            except (ServerError, httpclient.HTTPError, OSError) as exc:
                out['alloc'][side] = {'error': '%s: %s' % (
                    type(exc).__name__, exc)}
                log('  ! allocation per request, %s, attempt %d: %s' % (
                    side, attempt, out['alloc'][side]['error']))
    log('  allocation per request measured')
    for load in rt.loads:
        out['smallest_heap_kb'][load] = per = {}
        for side in sides:
            if side == 'floor' and load != rt.speed_load or \
                    side == 'ours' and load in ours_missing:
                continue
            per[side] = smallest_heap(rt, side, load)
            log('  smallest heap %-4s %-8s %s KB' % (load, side, per[side]))
    return out


def profile(rt, path, out_file):
    """Run profile_mp.py (ours, phase by phase) and save its output."""
    out = subprocess.run(
        rt.argv([os.path.join(servers.BENCH, 'profile_mp.py'), '--path', path],
                heap_kb=64 * 1024), capture_output=True, text=True,
        env=rt.env(), cwd=servers.BENCH, timeout=300)
    text = out.stdout + (out.stderr if out.returncode else '')
    with open(out_file, 'w') as f:
        f.write(text)
    return text


# ---------------------------------------------------------------- main

def machine():
    model = ''
    with open('/proc/cpuinfo') as f:
        for line in f:
            if line.startswith('model name'):
                model = line.split(':', 1)[1].strip()
                break
    return {'cpu': model, 'cores': os.cpu_count(),
            'kernel': platform.release(), 'os': platform.platform(),
            'loadavg_start': os.getloadavg()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--rounds', type=int, default=8)
    ap.add_argument('--duration', type=int, default=1)
    ap.add_argument('--alloc-requests', type=int, default=200)
    ap.add_argument('--only', action='append', default=[])
    ap.add_argument('--skip-load', action='store_true')
    ap.add_argument('--skip-ram', action='store_true')
    ap.add_argument('--skip-profile', action='store_true')
    ap.add_argument('--no-readme', action='store_true')
    ap.add_argument('--from-json', metavar='PATH',
                    help='measure nothing: redo the table, plot and README '
                         'section from a results JSON')
    args = ap.parse_args()
    if args.from_json:
        with open(args.from_json) as f:
            results = json.load(f)
        report.write_all(results, RESULTS, readme=None if args.no_readme
                         else os.path.join(servers.ROOT, 'README.md'))
        return
    if not shutil.which('wrk') and not args.skip_load:
        sys.exit('wrk not found: install it (Debian: apt-get install wrk) '
                 'or run `make bench`, which does')
    started = time.monotonic()
    prepare_upstream_mpy()
    runtimes = [rt for rt in servers.discover()
                if not args.only or rt.name in args.only]
    results = {'date': datetime.datetime.now().isoformat(timespec='seconds'),
               'machine': machine(), 'settings': vars(args),
               'runtimes': {}, 'notes': []}
    if not os.path.exists(servers.FROZEN_BIN):
        results['notes'].append('no frozen image at firmware/build/UNIX/'
                                'micropython: frozen rows skipped')
    for rt in runtimes:
        log('== %s (%s)' % (rt.label, rt.version()))
        entry = results['runtimes'][rt.name] = {
            'label': rt.label, 'version': rt.version(), 'ours_missing': {}}
        if rt.name == 'mp-frozen':
            entry['image_built'] = datetime.datetime.fromtimestamp(
                os.path.getmtime(servers.FROZEN_BIN)).isoformat(
                timespec='seconds')
        for load in rt.loads:
            why = ours_status(rt, load)
            if why:
                entry['ours_missing'][load] = why
        sides = [s for s in SIDES
                 if s != 'ours' or rt.speed_load not in entry['ours_missing']]
        if 'ours' not in sides:
            log('  ours skipped:', entry['ours_missing'][rt.speed_load])
        if not args.skip_load:
            entry['speed'] = load_phase(rt, sides, args)
        if rt.micropython and not args.skip_ram:
            entry['ram'] = ram_phase(rt, sides, args, entry['ours_missing'])
        if rt.name == 'mp' and 'mpy' not in entry['ours_missing'] and \
                not args.skip_profile:
            path = os.path.join(RESULTS, 'profile-mp.txt')
            entry['profile'] = profile(rt, servers.OURS_MPY, path)
            log('  profile of ours written to', os.path.relpath(path))
    results['machine']['loadavg_end'] = os.getloadavg()
    results['elapsed_s'] = round(time.monotonic() - started, 1)
    report.write_all(results, RESULTS, readme=None if args.no_readme else
                     os.path.join(servers.ROOT, 'README.md'))


if __name__ == '__main__':
    main()
