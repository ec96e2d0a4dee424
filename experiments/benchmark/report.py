"""Markdown of a benchmark run; '-' where a case lacks the variant or the measure was not taken."""
from .timing import is_cuda, profiled_device
from .variants import BASELINE, VARIANTS


def markdown(report):
    """The tables of a run.

    Args:
        report (dict): env (pipeline.environment), suite, seconds, and rows (pipeline.run_suite).
    """
    env, rows = report['env'], report['rows']
    names = [v for v in VARIANTS if any(v in row['variants'] for row in rows)]
    cuda = is_cuda(env['device'])
    unit = 'max_memory_allocated' if cuda else 'peak RSS'
    amp = ', training steps in fp16 AMP' if env['amp'] else ''
    lines = [f"# Benchmark: suite {report['suite']}{' (quick)' if env['quick'] else ''}", '',
             f"device {env['device']}{' ' + env['gpu'] if env.get('gpu') else ''}, CPU "
             f"{env['cpu']}, CPU threads {env['threads']}, torch {env['torch']}, glibc malloc "
             f"tuning {'on' if env['malloc_tuned'] else 'off'}{amp}; "
             f"{env['reps']} interleaved repetitions after {env['warmup']} warm-up; "
             f"{report['seconds']} s in all.", '',
             f'Ratios are to {BASELINE}, measured with it. Time: the median of the '
             'per-repetition ratios (min-max). Training steps run each config\'s optimizer at '
             'lr 0 (the same work; every repetition times the same weights).', '']
    timed = [r for r in rows if 'time' in r]
    if timed:
        lines += ['## Time / stock', '']
        lines += _table(timed, names, f'{BASELINE} (ms)', lambda r: _ms(r['time'][BASELINE]),
                        lambda r, v: _ratio_range(r['ratios'][v]))
    for key, title, note in (
            ('peak', f'Peak memory ({unit}) / stock',
             f'The {unit} of a fresh process per entry that builds the model and runs the step '
             'twice.'),
            ('step', 'Step memory / stock',
             'What one step adds at its peak over what is resident before it (after a warm-up '
             'step).')):
        measured = [r for r in rows if r['ratios'][BASELINE].get(key) is not None]
        if measured:
            lines += [f'## {title}', '', note, '']
            lines += _table(measured, names, f'{BASELINE} (MiB)',
                            lambda r, k=key: f"{r['memory'][BASELINE][k + '_mib']:.0f}",
                            lambda r, v, k=key: _bold(r['ratios'][v].get(k)))
    sized = [r for r in rows if 'size' in r]
    if sized:
        lines += _size_lines(sized, names)
    if timed:
        lines += ['## Time (ms): median (min-max)', '']
        lines += _table(timed, names, BASELINE, lambda r: _ms(r['time'][BASELINE]),
                        lambda r, v: _ms(r['time'][v]))
    for row in rows:
        if 'profile' in row:
            lines += _profile_lines(row, env['device'])
    return '\n'.join(lines)


def _table(rows, names, base_header, base_cell, cell):
    """| case | what | input, batch | the baseline's cell | a cell per other variant |"""
    lines = [_line(['case', 'what', 'input', base_header] + names[1:]),
             _line(['---'] * (3 + len(names)))]
    for r in rows:
        lines.append(_line([r['name'], r['what'], _input(r), base_cell(r)]
                           + [cell(r, v) if v in r['variants'] else '-' for v in names[1:]]))
    return lines + ['']


def _size_lines(rows, names):
    base = {r['name']: r['size'][BASELINE] for r in rows}
    lines = ['## Size / stock: parameters / FLOPs', '',
             'Parameters of the whole model; FLOPs of the backbone (and neck of a detector) at '
             "batch 1: mmengine's FlopAnalyzer (1 multiply-add = 1 FLOP) plus AWConv2d's "
             'elementwise gate and modulation (experiments/benchmark/flops.py).', '']
    lines += _table(rows, names, f'{BASELINE} (M / G)',
                    lambda r: f"{base[r['name']]['params'] / 1e6:.2f} M / "
                              f"{base[r['name']]['flops'] / 1e9:.2f} G",
                    lambda r, v: f"{_num(r['ratios'][v]['params'])} / "
                                 f"{_num(r['ratios'][v]['flops'])}")
    untraced = {}
    for r in rows:
        for v, size in r['size'].items():
            untraced.setdefault(v, set()).update(size['untraced_ops'])
    untraced = {v: ', '.join(sorted(ops)) for v, ops in untraced.items() if ops}
    if untraced:
        lines += ['Ops mmengine does not count, so these FLOPs are an undercount (of DCN only its '
                  'offset/mask convs are counted): '
                  + '; '.join(f'{v}: {ops}' for v, ops in untraced.items()) + '.', '']
    return lines


def _profile_lines(row, device):
    prof = row['profile']
    names = list(prof)
    others = [v for v in names if v != BASELINE]
    lines = [f"## Where the time goes: {row['name']} ({row['what']}, {_input(row)})", '',
             f'ms per step by kind of op, {profiled_device(device)} (torch.profiler).', '',
             _line(['kind of op'] + names + [f'{v} - {BASELINE}' for v in others]),
             _line(['---'] * (1 + len(names) + len(others)))]
    totals = {v: sum(prof[v].values()) for v in names}
    for kind, values in [(k, {v: prof[v][k] for v in names}) for k in prof[BASELINE]] + [
            ('total', totals)]:
        lines.append(_line([kind] + [f'{values[v]:.1f}' for v in names]
                           + [f'{values[v] - values[BASELINE]:+.1f}' for v in others]))
    return lines + ['']


def _input(row):
    return f"{row['input'][0]}x{row['input'][1]}, batch {row['batch']}"


def _line(cells):
    return '| ' + ' | '.join(cells) + ' |'


def _ms(stats):
    return f"{stats['median'] * 1e3:.1f} ({stats['min'] * 1e3:.1f}-{stats['max'] * 1e3:.1f})"


def _num(value):
    return '-' if value is None else f'{value:.3f}'


def _bold(value):
    return '-' if value is None else f'**{value:.3f}**'


def _ratio_range(r):
    return f"{_bold(r['time'])} ({r['time_min']:.3f}-{r['time_max']:.3f})"
