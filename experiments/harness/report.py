"""The numbers of a comparison and their markdown: per variant the mean ± std over seeds; per
compared pair the paired difference (same seed = same data order) with its t interval, p-value,
minimum detectable difference and verdict (stats.py); wall and training time, step cost, and
how far the attention moved per stage."""
from ..stats import mean_std, paired_difference
from .train_time import run_train_seconds

STAT_KEYS = ('mean', 'p99', 'max')


def by_variant(runs, order=None):
    """{variant: its runs sorted by seed}, in ``order`` (default: first seen)."""
    groups = {name: [] for name in order or []}
    for run in runs:
        groups.setdefault(run['variant'], []).append(run)
    return {k: sorted(v, key=lambda r: r['seed']) for k, v in groups.items() if v}


def _attention(group):
    """Over the seeds: overall mean/max of |A - 1| and, per stage, mean/p99/max (mean_std each)."""
    stats = [r['attention'] for r in group if r.get('attention')]
    if not stats:
        return None
    stages = set.intersection(*(set(a.get('stages', {})) for a in stats))
    out = {k: mean_std(a[k] for a in stats) for k in ('mean_abs_dev', 'max_abs_dev')
           if all(k in a for a in stats)}
    out['stages'] = {s: {k: mean_std(a['stages'][s][k] for a in stats) for k in STAT_KEYS}
                     for s in sorted(stages)}
    return out


def _train_seconds(group):
    """Training time per run from the logs (validation and pauses left out), or None where a log
    is missing or too short to tile (a smoke run)."""
    try:
        return mean_std(run_train_seconds(run['run_dir'])[0] for run in group)
    except (KeyError, OSError, ValueError):
        return None


def summarize(study, runs, order=None, cost=None):
    """The comparison's numbers (JSON-ready).

    Args:
        study (Study): metrics, comparisons and how to compute the detectable difference.
        runs (list[dict]): finished run records (harness/runs.py): variant, seed, metrics,
            wall_seconds, attention (None without AW), run_dir (for the training time).
        order (list[str], optional): order of the variants. Defaults to first seen.
        cost (dict, optional): the step-cost benchmark (harness/cost.py).
    """
    groups = by_variant(runs, order)
    summary = dict(metrics=study.metrics, percent=study.percent, variants={}, differences={},
                   cost=cost)
    for name, group in groups.items():
        entry = dict(seeds=[r['seed'] for r in group],
                     wall_seconds=mean_std(r['wall_seconds'] for r in group),
                     train_seconds=_train_seconds(group), attention=_attention(group))
        entry.update({m: mean_std(r['metrics'][m] for r in group) for m in study.metrics})
        summary['variants'][name] = entry
    for name, base in study.comparisons:
        if name in groups and base in groups:
            summary['differences'][f'{name} - {base}'] = {m: paired_difference(
                {r['seed']: r['metrics'][m] for r in groups[name]},
                {r['seed']: r['metrics'][m] for r in groups[base]},
                exact_mdd=study.exact_mdd) for m in study.metrics}
    return summary


def _num(value, scale=1.0, digits=2, signed=False):
    return '–' if value is None else f"{value * scale:{'+' if signed else ''}.{digits}f}"


def _pm(stat, scale=1.0, digits=2):
    return '–' if stat is None else f'{_num(stat["mean"], scale, digits)} ± ' \
        f'{_num(stat["std"], scale, digits)}'


def markdown(summary, header=()):
    """The report: variants, paired differences, |A - 1| per stage.

    Args:
        summary (dict): the output of :func:`summarize`.
        header (Iterable[str]): lines put first (title, command, date, setup).
    """
    scale = 100.0 if summary['percent'] else 1.0
    metrics, cost = summary['metrics'], summary.get('cost')
    step = (cost or {}).get('step_seconds', {})
    lines = list(header) + ['', '| variant | seeds | ' + ''.join(
        f'{label} (%) | per seed | ' for label in metrics.values())
        + 'wall per run (s) | training time per run (s, log) | training step (ms) |',
        '|---' * (4 + 2 * len(metrics)) + '|---|']
    for name, e in summary['variants'].items():
        cells = [f"{_pm(e[m], scale)} | {', '.join(_num(v, scale) for v in e[m]['values'])}"
                 for m in metrics]
        lines.append(f"| {name} | {len(e['seeds'])} | {' | '.join(cells)} | "
                     f"{_pm(e['wall_seconds'], digits=0)} | {_pm(e['train_seconds'], digits=0)} "
                     f"| {_num(step.get(name), 1e3, 1)} |")
    if summary['differences']:
        lines += ['', '| difference (paired by seed) | metric | mean (points) | 95 % CI (t) | '
                  'std of differences | seeds better | p (paired t) | min. detectable '
                  '(80 % power) | verdict |', '|---' * 9 + '|']
        for name, by_metric in summary['differences'].items():
            for metric, d in by_metric.items():
                ci = '–' if d['ci'] is None else '[{}, {}]'.format(
                    *(_num(v, scale, signed=True) for v in d['ci']))
                lines.append(f"| {name} | {metrics[metric]} | "
                             f"{_num(d['mean'], scale, signed=True)} | {ci} | "
                             f"{_num(d['std'], scale)} | {d['seeds_better']}/{d['n']} | "
                             f"{_num(d['p_value'], digits=3)} | {_num(d['mdd'], scale)} | "
                             f"{d['verdict']} |")
    if cost:
        ratios = [f'{a}/{b} {step[a] / step[b]:.2f}x' for a, b in
                  (k.split(' - ') for k in summary['differences']) if a in step and b in step]
        lines += ['', f"Training step (median of {cost['reps']} interleaved repetitions, "
                  f"{cost['threads']} thread(s)): {', '.join(ratios) or '–'}."]
    attention = {n: e['attention'] for n, e in summary['variants'].items() if e['attention']}
    if attention:
        lines += ['', '| variant | AW stage | mean abs(A-1) (%) | p99 (%) | max (%) |',
                  '|---|---|---|---|---|']
        for name, a in attention.items():  # runs measured before the stages: all convs
            stages = a['stages'] or {'all': dict(mean=a['mean_abs_dev'], p99=None,
                                                 max=a['max_abs_dev'])}
            lines += [f"| {name} | {stage} | {' | '.join(_pm(s[k], 100, 3) for k in STAT_KEYS)} |"
                      for stage, s in stages.items()]
    return '\n'.join(lines) + '\n'
