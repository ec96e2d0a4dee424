"""Per-variant mean and spread over seeds, AW-minus-baseline differences with their confidence
intervals, and the markdown tables (docs/evidence_protocol.md section 3).

Differences are paired by seed (same seed = same data order and schedule for both detectors). The
verdict is "better" or "worse" only when the 95 % t interval of the paired difference excludes 0;
otherwise "not distinguishable", given with the smallest difference these seeds could detect.
"""
from ..stats import mean_std, min_detectable_difference_t_sum, paired_difference
from .variants import BASELINE_OF

METRIC_NAMES = {'coco/bbox_mAP': 'bbox mAP', 'coco/bbox_mAP_50': 'mAP@0.5'}
STAT_KEYS = ('mean', 'p99', 'max')


def _final(run, metric):
    return run['curve'][-1][1][metric]


def _attention_summary(group):
    """Over the seeds: overall mean/max of |A - 1| and, per stage, mean/p99/max (mean_std each)."""
    stats = [r['attention'] for r in group if r.get('attention')]
    if not stats:
        return None
    out = dict(mean_abs_dev=mean_std(a['mean_abs_dev'] for a in stats),
               max_abs_dev=mean_std(a['max_abs_dev'] for a in stats), stages={})
    with_stages = [a['stages'] for a in stats if a.get('stages')]
    if with_stages:
        for stage in sorted(set.intersection(*(set(s) for s in with_stages))):
            out['stages'][stage] = {k: mean_std(s[stage][k] for s in with_stages)
                                    for k in STAT_KEYS}
    return out


def _train_seconds(group):
    """Training time per run from the logs (pauses left out), or None where a log is missing or
    too short to tile (a smoke run)."""
    from .train_time import run_train_seconds  # here, so `python -m ...train_time` imports it once
    try:
        return mean_std(run_train_seconds(run)[0] for run in group)
    except (KeyError, OSError, ValueError):
        return None


def verdict(ci):
    """'better' / 'worse' when the interval excludes 0, else 'not distinguishable'."""
    if ci is None:
        return 'not distinguishable'
    if ci[0] > 0:
        return 'better'
    if ci[1] < 0:
        return 'worse'
    return 'not distinguishable'


def summarize(runs):
    """Numbers of a comparison.

    Args:
        runs (list[dict]): one per finished run: variant, seed, curve [(iter, {metric: v})],
            seconds, attention (None without AW); log (optional: the train log, for the
            training time without pauses).
    """
    variants = {}
    for run in runs:
        variants.setdefault(run['variant'], []).append(run)
    summary = dict(variants={}, differences={})
    for name, group in variants.items():
        group.sort(key=lambda r: r['seed'])
        entry = dict(seeds=[r['seed'] for r in group],
                     seconds=mean_std(r['seconds'] for r in group),
                     train_seconds=_train_seconds(group),
                     attention=_attention_summary(group))
        for metric in METRIC_NAMES:
            entry[metric] = mean_std(_final(r, metric) for r in group)
        summary['variants'][name] = entry
    for name, base in BASELINE_OF.items():
        if name in variants and base in variants:
            summary['differences'][f'{name} - {base}'] = {
                metric: _difference(variants[name], variants[base], metric)
                for metric in METRIC_NAMES}
    return summary


def _difference(runs, base_runs, metric):
    diff = paired_difference({r['seed']: _final(r, metric) for r in runs},
                             {r['seed']: _final(r, metric) for r in base_runs})
    diff.update(mdd_protocol=min_detectable_difference_t_sum(diff['std'], diff['n']),
                verdict=verdict(diff['ci']))
    return diff


def _pts(value, signed=False):
    """A fraction as points (percent), or '–'."""
    if value is None:
        return '–'
    return f"{value * 100:{'+' if signed else ''}.2f}"


def _pm(stat, scale=100.0, digits=2):
    return f"{stat['mean'] * scale:.{digits}f} ± {stat['std'] * scale:.{digits}f}"


def markdown_table(summary):
    """Variant table (mAP in %, mean ± std over seeds), paired differences, and |A - 1|."""
    lines = ['| variant | seeds | bbox mAP (%) | per seed | mAP@0.5 (%) | per seed | '
             'wall time per run (s) | training time per run (s, log) |',
             '|---|---|---|---|---|---|---|---|']
    for name, e in summary['variants'].items():
        cells = []
        for metric in METRIC_NAMES:
            cells += [_pm(e[metric]), ', '.join(f'{v * 100:.1f}' for v in e[metric]['values'])]
        train = _pm(e['train_seconds'], 1.0, 0) if e.get('train_seconds') else '–'
        lines.append(f"| {name} | {len(e['seeds'])} | {' | '.join(cells)} | "
                     f"{_pm(e['seconds'], 1.0, 0)} | {train} |")
    if summary['differences']:
        lines += ['', '| difference (paired by seed) | metric | mean (points) | 95 % CI (t) | '
                  'std of differences | seeds better | p (paired t) | min. detectable '
                  '(80 % power) | verdict |', '|---|---|---|---|---|---|---|---|---|']
        for name, by_metric in summary['differences'].items():
            for metric, d in by_metric.items():
                ci = f"[{_pts(d['ci'][0], True)}, {_pts(d['ci'][1], True)}]" if d['ci'] else '–'
                p = f"{d['p_value']:.3f}" if d['p_value'] is not None else '–'
                lines.append(f"| {name} | {METRIC_NAMES[metric]} | {_pts(d['mean'], True)} | "
                             f"{ci} | {_pts(d['std'])} | {d['seeds_better']}/{d['n']} | {p} | "
                             f"{_pts(d['mdd_protocol'])} | {d['verdict']} |")
    attention = {n: e['attention'] for n, e in summary['variants'].items() if e['attention']}
    if attention:
        lines += ['', '| variant | AW stage | mean abs(A-1) (%) | p99 (%) | max (%) |',
                  '|---|---|---|---|---|']
        for name, a in attention.items():
            rows = a['stages'] or {'all': dict(mean=a['mean_abs_dev'], p99=None,
                                               max=a['max_abs_dev'])}
            for stage, s in rows.items():
                cells = [_pm(s[k], digits=3) if s[k] else '–' for k in STAT_KEYS]
                lines.append(f"| {name} | {stage} | {' | '.join(cells)} |")
    return '\n'.join(lines) + '\n'
