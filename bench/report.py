"""Turns raw benchmark results into the table, JSON, Markdown and plot."""
import json
import os

import stats

SPEED_METRICS = (
    # label, key in a wrk run, scale, unit, higher is better
    ('req/s', 'rps', 1, 'req/s', True),
    ('p50 latency', 'p50_us', 1e-3, 'ms', False),
    ('p99 latency', 'p99_us', 1e-3, 'ms', False),
    ('server CPU per request', 'cpu_us_per_req', 1, 'us', False),
)
LOAD_NAMES = {'py': '.py', 'mpy': '.mpy', 'frozen': 'frozen'}
SCENARIO_ORDER = ('c1 keep-alive', 'c16 keep-alive', 'c1 close', 'c16 close')
LOAD_ORDER = ('py', 'mpy', 'frozen')
START = '<!-- bench:start -->'
END = '<!-- bench:end -->'


def ordered(mapping, order):
    """Items of a dict in a fixed order (JSON round trips sort keys)."""
    return sorted(mapping.items(), key=lambda kv: (
        order.index(kv[0]) if kv[0] in order else len(order), kv[0]))


def median_of(runs, key):
    return stats.median([r[key] for r in runs if r is not None])


def goal(column, op, value, text):
    return {'column': column, 'op': op, 'value': value, 'text': text}


def speed_goals(rt, scenario, metric):
    if metric != 'rps':
        return []
    goals = []
    if rt.startswith('mp'):
        if scenario == 'c1 keep-alive':
            goals.append(goal('ours_upstream', '>=', 1.5, '>=1.5x upstream'))
        if scenario == 'c1 close':
            goals.append(goal('ours_upstream', '>=', 1.2, '>=1.2x upstream'))
        if scenario.endswith('keep-alive'):
            goals.append(goal('ours_floor', '>=', 0.7, '>=0.7x floor'))
    else:
        # "at least 1.2x upstream's req/s at c1 and c16": held to both
        # connection modes, the stricter reading.
        goals.append(goal('ours_upstream', '>=', 1.2, '>=1.2x upstream'))
    return goals


def pair_ratios(runs, a, b, key):
    """Per-round ratios a/b of one metric (rounds where both ran)."""
    if a not in runs or b not in runs:
        return None
    out = []
    for ra, rb in zip(runs[a], runs[b]):
        if ra is not None and rb is not None and rb[key]:
            out.append(ra[key] / rb[key])
    return stats.summarize(out) if out else None


def plain_ratio(a, b):
    if a is None or b is None or not b:
        return None
    return {'median': a / b, 'ci_low': None, 'ci_high': None}


def speed_rows(rt, entry):
    rows = []
    speed = entry.get('speed') or {}
    for scenario, runs in ordered(speed.get('runs', {}), SCENARIO_ORDER):
        for label, key, scale, unit, higher in SPEED_METRICS:
            row = {'group': 'speed', 'runtime': rt,
                   'metric': '%s, %s' % (label, scenario), 'unit': unit,
                   'higher_is_better': higher,
                   'goals': speed_goals(rt, scenario, key)}
            for side in ('ours', 'upstream', 'floor'):
                v = median_of(runs[side], key) if side in runs else None
                row[side] = None if v is None else v * scale
            row['ours_upstream'] = pair_ratios(runs, 'ours', 'upstream', key)
            row['ours_floor'] = pair_ratios(runs, 'ours', 'floor', key)
            rows.append(row)
    rss = speed.get('peak_rss_kb')
    if rss:
        note = None
        if rt == 'mp':
            note = ('the PyPI unix port runs inside a CPython process: its '
                    'RSS is mostly CPython\'s')
        rows.append(value_row(rt, 'peak RSS of the server under load', 'KB',
                              rss.get('ours'), rss.get('upstream'),
                              rss.get('floor'), [], note))
    return rows


#: Why the frozen image's .mpy rows carry no goal.
FROZEN_MPY_NOTE = (
    'rows marked ".mpy, ours also frozen in" carry no goal: not a fair '
    'comparison, as this image has our framework '
    'frozen in, whose names are then in flash, so loading ours from .mpy '
    'interns fewer names than upstream (about 2 KB); the PyPI unix port '
    'rows are the fair ones')


def load_name(rt, load):
    """How a row names the way the framework was loaded."""
    if (rt, load) == ('mp-frozen', 'mpy'):
        return '.mpy, ours also frozen in'
    return LOAD_NAMES[load]


def mpy_goals(rt, load):
    """The goals of a heap row loaded from .mpy: at most upstream's (what
    a stock firmware user gets) and 0.7x (the leaner-than-any-framework
    aim); none where the comparison is not fair (FROZEN_MPY_NOTE)."""
    if load != 'mpy' or rt == 'mp-frozen':
        return []
    return [goal('ours_upstream', '<=', 1.0, '<=1x upstream'),
            goal('ours_upstream', '<=', 0.7, '<=0.7x upstream')]


def value_row(rt, metric, unit, ours, upstream, floor, goals, note=None):
    row = {'group': 'ram', 'runtime': rt, 'metric': metric, 'unit': unit,
           'higher_is_better': False, 'goals': goals, 'ours': ours,
           'upstream': upstream, 'floor': floor,
           'ours_upstream': plain_ratio(ours, upstream),
           'ours_floor': plain_ratio(ours, floor)}
    if note:
        row['note'] = note
    return row


def kb(x):
    return None if x is None else x / 1024


def ram_rows(rt, entry):
    ram = entry.get('ram')
    if not ram:
        return []
    rows = []
    for load, per in ordered(ram['import'], LOAD_ORDER):
        name = load_name(rt, load)
        o = per.get('ours', {})
        u = per.get('upstream', {})
        f = per.get('floor', {})
        goals = mpy_goals(rt, load)
        if load == 'frozen':
            goals.append(goal('ours', '<', 8.0, 'ours < 8 KB'))
        rows.append(value_row(
            rt, 'heap after import microdot (%s)' % name, 'KB',
            kb(o.get('core')), kb(u.get('core')), kb(f.get('core')), goals,
            FROZEN_MPY_NOTE if (rt, load) == ('mp-frozen', 'mpy') else
            'includes asyncio, which the floor column shows alone; the 8 KB '
            'goal is judged on the total'))
        common = per.get('common_extensions', [])
        rows.append(value_row(
            rt, 'heap after import + %d extensions (%s)' % (len(common), name),
            'KB', kb(o.get('common')), kb(u.get('common')), None, [],
            'extensions importing on both sides: ' + ' '.join(common)))
        rows.append(value_row(
            rt, 'heap after import of every module present (%s)' % name, 'KB',
            kb(o.get('all')), kb(u.get('all')), None, [],
            'each side imports all of its own package'))
    for mode in ('keep-alive', 'close'):
        vals = {s: (ram['alloc'].get(s) or {}).get(mode, {}).get(
            'bytes_per_request') for s in ('ours', 'upstream', 'floor')}
        rows.append(value_row(
            rt, 'heap allocated per request, %s (%s)' % (
                mode, LOAD_NAMES[entry['speed_load']]), 'KB',
            kb(vals['ours']), kb(vals['upstream']), kb(vals['floor']),
            [goal('ours_upstream', '<=', 0.5, '<=0.5x upstream')]))
    for load, per in ordered(ram['smallest_heap_kb'], LOAD_ORDER):
        rows.append(value_row(
            rt, 'smallest -X heapsize for 500 requests (%s)' % load_name(
                rt, load),
            'KB', per.get('ours'), per.get('upstream'), per.get('floor'),
            mpy_goals(rt, load) if load == 'mpy' else
            [goal('ours_upstream', '<=', 0.7, '<=0.7x upstream')],
            FROZEN_MPY_NOTE if (rt, load) == ('mp-frozen', 'mpy') else
            'floor measured once per runtime'))
    return rows


def judge(row):
    """Fill row['verdict'] from its goals ('' when it has none)."""
    parts = []
    for g in row['goals']:
        cell = row.get(g['column'])
        value = cell.get('median') if isinstance(cell, dict) else cell
        if value is None:
            parts.append('%s: n/a' % g['text'])
            g['met'] = None
            continue
        ok = value >= g['value'] if g['op'] == '>=' else (
            value <= g['value'] if g['op'] == '<=' else value < g['value'])
        g['met'] = ok
        if ok:
            text = '%s: met' % g['text']
        elif g['op'] == '>=':
            text = '%s: MISSED, %.0f%% short' % (
                g['text'], 100 * (1 - value / g['value']))
        else:
            text = '%s: MISSED, %.0f%% over' % (
                g['text'], 100 * (value / g['value'] - 1))
        if isinstance(cell, dict) and cell.get('ci_low') is not None and \
                cell['ci_low'] <= g['value'] <= cell['ci_high']:
            text += ' (CI straddles)'
        parts.append(text)
    row['verdict'] = '; '.join(parts)


ORDER = ('mp', 'mp-frozen', 'cpython')


def runtimes(results):
    """(name, entry) pairs in report order."""
    return sorted(results['runtimes'].items(), key=lambda kv: (
        ORDER.index(kv[0]) if kv[0] in ORDER else len(ORDER), kv[0]))


def build_rows(results):
    rows = []
    for rt, entry in runtimes(results):
        entry.setdefault('speed_load', (entry.get('speed') or {}).get(
            'load', 'mpy'))
        rows += speed_rows(rt, entry) + ram_rows(rt, entry)
    for row in rows:
        judge(row)
    return rows


def fmt_value(v, unit):
    if v is None:
        return 'n/a'
    if unit == 'req/s':
        return '%.0f' % v
    if unit == 'ms':
        return '%.2f' % v
    if abs(v) >= 100:
        return '%.0f' % v
    return '%.1f' % v


def fmt_ratio(cell):
    if not cell or cell.get('median') is None:
        return 'n/a'
    text = '%.2f' % cell['median']
    if cell.get('ci_low') is not None:
        text += ' [%.2f-%.2f]' % (cell['ci_low'], cell['ci_high'])
    return text


HEADER = ('metric', 'runtime', 'unit', 'ours', 'upstream', 'floor',
          'ours/upstream [CI]', 'ours/floor [CI]', 'goal: verdict')


def cells(row):
    return (row['metric'], row['runtime'], row['unit'],
            fmt_value(row['ours'], row['unit']),
            fmt_value(row['upstream'], row['unit']),
            fmt_value(row['floor'], row['unit']),
            fmt_ratio(row['ours_upstream']), fmt_ratio(row['ours_floor']),
            row['verdict'])


def text_table(rows):
    table = [HEADER] + [cells(r) for r in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(HEADER))]
    lines = []
    for i, r in enumerate(table):
        lines.append('  '.join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
        if i == 0:
            lines.append('  '.join('-' * w for w in widths))
    return '\n'.join(lines)


def md_table(rows):
    out = ['| ' + ' | '.join(HEADER) + ' |',
           '|' + '---|' * len(HEADER)]
    for r in rows:
        out.append('| ' + ' | '.join(c.replace('|', '/') for c in cells(r))
                   + ' |')
    return '\n'.join(out)


def summary_lines(results, rows):
    m = results['machine']
    lines = ['Run %s on %s (%d cores, Linux %s); load average %.1f at '
             'start, %.1f at end; took %.0f s.' % (
                 results['date'], m['cpu'], m['cores'], m['kernel'],
                 m['loadavg_start'][0], m['loadavg_end'][0],
                 results.get('elapsed_s', 0))]
    for rt, entry in runtimes(results):
        lines.append('%s: %s, %s.' % (rt, entry['label'], entry['version']))
        for load, why in entry.get('ours_missing', {}).items():
            lines.append('  ours not measured from %s: %s' % (load, why))
        speed = entry.get('speed') or {}
        for side, b in sorted(speed.get('behaviour', {}).items()):
            lines.append('  %s answers %s, %s.' % (
                side, b.get('response_version'),
                'keeps the connection alive' if b.get('keeps_alive')
                else 'closes the connection after every response'))
        for err in speed.get('errors', []):
            lines.append('  error: ' + err)
        for scenario, runs in speed.get('runs', {}).items():
            for side, rs in runs.items():
                bad = sum(sum(r['errors'].values()) for r in rs if r)
                if bad:
                    lines.append('  wrk counted %d socket/status errors for '
                                 '%s at %s.' % (bad, side, scenario))
        ram = entry.get('ram') or {}
        for side, res in sorted((ram.get('alloc') or {}).items()):
            if 'error' in res:
                lines.append('  allocation per request not measured for '
                             '%s: %s' % (side, res['error']))
        for load, per in sorted((ram.get('import') or {}).items()):
            for side, res in sorted(per.items()):
                if isinstance(res, dict) and res.get('error'):
                    lines.append('  heap after import (%s) failed for %s: '
                                 '%s' % (load, side, res['error']))
        if entry.get('image_built'):
            lines.append('  frozen image built %s (it freezes the framework '
                         'as it was then).' % entry['image_built'])
    lines += results.get('notes', [])
    seen = {}
    for r in rows:
        if r.get('note'):
            seen.setdefault(r['note'], r['metric'].split(' (')[0])
    for note, metric in seen.items():
        lines.append('Note on "%s": %s.' % (metric, note))
    missed = [r for r in rows if any(g.get('met') is False
                                     for g in r['goals'])]
    met = [r for r in rows if r['goals'] and all(
        g.get('met') for g in r['goals'])]
    lines.append('Goals: %d rows meet every goal, %d miss at least one.' % (
        len(met), len(missed)))
    for r in missed:
        lines.append('  MISSED %s [%s]: %s' % (r['metric'], r['runtime'],
                                              r['verdict']))
    return lines


def plot(results, rows, path):
    try:
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
    except ImportError:
        return 'matplotlib missing: no plot (pip install -r bench/requirements.txt)'
    sides = ('ours', 'upstream', 'floor')
    colours = {'ours': '#1f77b4', 'upstream': '#ff7f0e', 'floor': '#7f7f7f'}
    speed = [r for r in rows if r['unit'] == 'req/s']
    present = {r['runtime'] for r in speed}
    names = [rt for rt, _ in runtimes(results) if rt in present]
    ram = [r for r in rows if r['group'] == 'ram' and r['unit'] == 'KB'
           and 'RSS' not in r['metric'] and 'every module' not in r['metric']
           and (r['runtime'] == 'mp' or '(frozen)' in r['metric'])]
    panels = len(names) + (1 if ram else 0)
    if not panels:
        return 'nothing to plot'
    fig, axes = plt.subplots(panels, 1, figsize=(11, 3.6 * panels),
                             squeeze=False)
    width = 0.27
    for ax, rt in zip(axes[:, 0], names):
        rrows = [r for r in speed if r['runtime'] == rt]
        for i, side in enumerate(sides):
            xs = [j + (i - 1) * width for j in range(len(rrows))]
            ax.bar(xs, [r[side] or 0 for r in rrows], width, label=side,
                   color=colours[side])
        ax.set_xticks(range(len(rrows)))
        ax.set_xticklabels([r['metric'].split(', ')[1] for r in rrows])
        ax.set_ylabel('requests/s (median)')
        ax.set_title('%s: %s' % (rt, results['runtimes'][rt]['label']))
        ax.legend(fontsize=8)
    if ram:
        ax = axes[-1, 0]
        for i, side in enumerate(sides):
            xs = [j + (i - 1) * width for j in range(len(ram))]
            ax.bar(xs, [r[side] or 0 for r in ram], width, label=side,
                   color=colours[side])
        ax.set_xticks(range(len(ram)))
        ax.set_xticklabels([r['metric'].replace('heap ', '').replace(
            'smallest -X heapsize', 'min heap').replace(
            ' for 500 requests', '').replace('after import', 'import')
            for r in ram], rotation=25, ha='right', fontsize=7)
        ax.set_ylabel('KB')
        ax.set_title('MicroPython heap, 64-bit unix port (PyPI build; '
                     '"frozen": our UNIX image)')
        ax.legend(fontsize=8)
    fig.suptitle('Microdot: ours vs upstream 2.5.1 vs asyncio floor (%s)' %
                 results['date'])
    fig.tight_layout(rect=(0, 0, 1, 0.98))
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return None


def readme_section(results, rows, png_rel):
    return '\n'.join([
        START, '',
        '_Generated by `make bench` on %s; machine: %s, %d cores. Raw data: '
        '`bench/results/latest.json`; method and profile: `bench/README.md`._'
        % (results['date'], results['machine']['cpu'],
           results['machine']['cores']), '',
        '![requests/s and heap per side](%s)' % png_rel, '',
        md_table(rows), '',
        '\n'.join(('  - ' if line.startswith('  ') else '- ') + line.strip()
                  for line in summary_lines(results, rows)[1:]), '', END])


def update_readme(path, section):
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return 'no README.md: section not written'
    if START not in text or END not in text:
        return 'README.md has no bench markers: section not written'
    head, rest = text.split(START, 1)
    tail = rest.split(END, 1)[1]
    with open(path, 'w') as f:
        f.write(head + section + tail)
    return 'README.md bench section updated'


def write_all(results, folder, readme=None):
    os.makedirs(folder, exist_ok=True)
    results.pop('table', None)
    rows = build_rows(results)
    results['table'] = rows
    table = text_table(rows)
    lines = summary_lines(results, rows)
    print()
    print(table)
    print()
    print('\n'.join(lines))
    with open(os.path.join(folder, 'latest.json'), 'w') as f:
        json.dump(results, f, indent=1, sort_keys=True)
    png = os.path.join(folder, 'latest.png')
    why = plot(results, rows, png)
    if why:
        print(why)
    with open(os.path.join(folder, 'latest.md'), 'w') as f:
        f.write(readme_section(results, rows, 'bench/results/latest.png'))
        f.write('\n')
    print('wrote %s/latest.{json,md,png}' % os.path.relpath(folder))
    if readme:
        print(update_readme(readme, readme_section(
            results, rows, 'bench/results/latest.png')))
