"""Hello-world JSON req/s on production servers, in one interleaved run.

    .venv/bin/python bench/bench_servers.py [--rounds N] [--seconds S]

Sides (CPython, one process each, all started before the first run):
ours, upstream Microdot 2.5.1 and Starlette under uvicorn (httptools);
ours, upstream and Flask under gunicorn (one sync worker); our own asyncio
server. Each round runs wrk against every side at 1 and at 16 connections,
rotating the order; ratios are taken within a round (the same machine
load) and their median reported. Prints a markdown table with each goal
and whether it is met, and writes bench/results/servers.json.

Needs wrk, uvicorn, httptools, gunicorn, starlette and flask, and upstream
in bench/.upstream (``make bench-deps``); it is only imported, as a black
box, by the server processes.
"""
import json
import os
import platform
import subprocess
import sys
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, BENCH)
from servers import ROOT, UPSTREAM, free_port  # noqa: E402
from stats import summarize  # noqa: E402

PY = sys.executable
CONNS = (1, 16)
OURS = os.path.join(ROOT, 'modules')


def _uvicorn(port):
    return [PY, '-m', 'uvicorn', 'servers_app:asgi', '--host', '127.0.0.1',
            '--port', str(port), '--http', 'httptools', '--loop', 'asyncio',
            '--log-level', 'warning', '--no-access-log']


def _gunicorn(port):
    return [PY, '-m', 'gunicorn', '-b', '127.0.0.1:%d' % port, '-w', '1',
            '-k', 'sync', '--log-level', 'warning', 'servers_app:wsgi']


def _own(port):
    return [PY, os.path.join(BENCH, 'server.py'), 'ours', str(port),
            '--path', OURS]


# name, framework (BENCH_SIDE), sys.path for it, command
SIDES = [
    ('ours/uvicorn', 'ours', [OURS], _uvicorn),
    ('upstream/uvicorn', 'upstream', [UPSTREAM], _uvicorn),
    ('starlette/uvicorn', 'starlette', [], _uvicorn),
    ('ours/gunicorn', 'ours', [OURS], _gunicorn),
    ('upstream/gunicorn', 'upstream', [UPSTREAM], _gunicorn),
    ('flask/gunicorn', 'flask', [], _gunicorn),
    ('ours/own server', 'ours', [OURS], _own),
]

# (metric label, numerator, denominator, goal ratio or None)
GOALS = [
    ('ours/upstream, uvicorn', 'ours/uvicorn', 'upstream/uvicorn', 1.2),
    ('ours/Starlette, uvicorn', 'ours/uvicorn', 'starlette/uvicorn', 0.9),
    ('ours/upstream, gunicorn', 'ours/gunicorn', 'upstream/gunicorn', 1.2),
    ('ours/Flask, gunicorn', 'ours/gunicorn', 'flask/gunicorn', None),
    ('own server/ours on uvicorn', 'ours/own server', 'ours/uvicorn', None),
    ('own server/Starlette on uvicorn', 'ours/own server',
     'starlette/uvicorn', None),
]


class Side:
    def __init__(self, name, framework, path, command):
        self.name = name
        self.port = free_port()
        env = dict(os.environ, BENCH_SIDE=framework,
                   PYTHONPATH=os.pathsep.join(path + [BENCH]))
        self.log = open(os.path.join('/tmp', 'bench-servers-%s-%d.log' % (
            name.replace('/', '-').replace(' ', '_'), os.getpid())), 'w+')
        self.proc = subprocess.Popen(command(self.port), cwd=BENCH, env=env,
                                     stdout=self.log,
                                     stderr=subprocess.STDOUT)

    def wait(self, timeout=30):
        import urllib.request
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                with urllib.request.urlopen('http://127.0.0.1:%d/' %
                                            self.port, timeout=2) as res:
                    body = json.loads(res.read())
                if body != {'hello': 'world'}:
                    raise RuntimeError('%s answered %r' % (self.name, body))
                return
            except OSError:
                time.sleep(0.1)
        self.log.seek(0)
        raise RuntimeError('%s did not start: %s' % (self.name,
                                                     self.log.read()[-1500:]))

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        os.remove(self.log.name)


def wrk(port, conns, seconds):
    out = subprocess.run(
        ['wrk', '-t1', '-c%d' % conns, '-d%ds' % seconds, '--latency',
         '-s', os.path.join(BENCH, 'wrk_report.lua'),
         'http://127.0.0.1:%d/' % port],
        capture_output=True, text=True, timeout=seconds + 30).stdout
    for line in out.splitlines():
        if line.startswith('WRKJSON '):
            data = json.loads(line[8:])
            errors = sum(data['errors'].values()) - data['errors']['connect']
            data['req_s'] = data['requests'] / (data['duration_us'] / 1e6)
            data['bad'] = errors
            return data
    raise RuntimeError('wrk printed no summary: ' + out[-500:])


def versions():
    out = {'python': platform.python_version()}
    for name in ('uvicorn', 'httptools', 'gunicorn', 'starlette', 'flask'):
        try:
            from importlib.metadata import version
            out[name] = version(name)
        except Exception:
            out[name] = None
    return out


def main(argv):
    rounds = 5
    seconds = 3
    if '--rounds' in argv:
        rounds = int(argv[argv.index('--rounds') + 1])
    if '--seconds' in argv:
        seconds = int(argv[argv.index('--seconds') + 1])
    if not os.path.isdir(os.path.join(UPSTREAM, 'microdot')):
        sys.exit('upstream Microdot is missing: make bench-deps')
    sides = [Side(*s) for s in SIDES]
    try:
        for side in sides:
            side.wait()
        for side in sides:  # warm-up, not recorded
            wrk(side.port, 16, 1)
        samples = {(s.name, c): [] for s in sides for c in CONNS}
        for r in range(rounds):
            order = sides[r % len(sides):] + sides[:r % len(sides)]
            for conns in CONNS:
                for side in order:
                    data = wrk(side.port, conns, seconds)
                    if data['bad']:
                        print('warning: %s c%d: %d errors' % (
                            side.name, conns, data['bad']), file=sys.stderr)
                    samples[(side.name, conns)].append(data)
            print('round %d/%d done' % (r + 1, rounds), file=sys.stderr)
    finally:
        for side in sides:
            side.stop()
    report(samples, rounds, seconds)


def report(samples, rounds, seconds):
    table = {}
    lines = ['| side | req/s c1 | req/s c16 | p50 ms c1 | p99 ms c16 |',
             '|---|---|---|---|---|']
    for name, _, _, _ in SIDES:
        row = {}
        for conns in CONNS:
            runs = samples[(name, conns)]
            row['c%d' % conns] = summarize([d['req_s'] for d in runs])
            row['p50_ms_c%d' % conns] = summarize(
                [d['p50_us'] / 1000 for d in runs])
            row['p99_ms_c%d' % conns] = summarize(
                [d['p99_us'] / 1000 for d in runs])
        table[name] = row
        lines.append('| %s | %.0f | %.0f | %.2f | %.2f |' % (
            name, row['c1']['median'], row['c16']['median'],
            row['p50_ms_c1']['median'], row['p99_ms_c16']['median']))
    lines += ['', '| ratio | conns | median [CI] | goal: verdict |',
              '|---|---|---|---|']
    goals = []
    for label, num, den, goal in GOALS:
        for conns in CONNS:
            ratios = [a['req_s'] / b['req_s'] for a, b in zip(
                samples[(num, conns)], samples[(den, conns)])]
            s = summarize(ratios)
            if goal is None:
                verdict = ''
            elif s['median'] >= goal:
                verdict = '>=%.1fx: met' % goal
            else:
                verdict = '>=%.1fx: MISSED, %.0f%% short' % (
                    goal, 100 * (1 - s['median'] / goal))
            goals.append({'ratio': label, 'conns': conns, 'goal': goal,
                          'met': None if goal is None else
                          s['median'] >= goal, **s})
            lines.append('| %s | %d | %.2f [%.2f-%.2f] | %s |' % (
                label, conns, s['median'], s['ci_low'], s['ci_high'],
                verdict))
    print('\n'.join(lines))
    out = {'when': time.strftime('%Y-%m-%dT%H:%M:%S'),
           'machine': platform.processor() or platform.machine(),
           'cpus': os.cpu_count(), 'rounds': rounds, 'seconds': seconds,
           'versions': versions(), 'sides': table, 'goals': goals,
           'markdown': '\n'.join(lines)}
    path = os.path.join(BENCH, 'results', 'servers.json')
    with open(path, 'w') as f:
        json.dump(out, f, indent=1)
    print('\nraw data: %s' % os.path.relpath(path, ROOT))


if __name__ == '__main__':
    main(sys.argv[1:])
