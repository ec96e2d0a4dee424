"""Per-variant mean and spread over seeds, AW-minus-baseline differences, and the markdown table.

Differences are paired by seed (same seed = same data order and schedule for both detectors). A
difference counts as "beyond the seed spread" only when its mean is larger than the standard
deviation over seeds of either detector: with 3 seeds anything less is indistinguishable from noise.
"""
import statistics

from .variants import BASELINE_OF

METRIC_NAMES = {'coco/bbox_mAP': 'bbox mAP', 'coco/bbox_mAP_50': 'mAP@0.5'}


def _mean_std(values):
    values = list(values)
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    return dict(mean=statistics.fmean(values), std=std, values=values)


def _final(run, metric):
    return run['curve'][-1][1][metric]


def summarize(runs):
    """runs: [{variant, seed, curve: [(iter, {metric: v})], seconds, attention}] -> summary dict."""
    variants = {}
    for run in runs:
        variants.setdefault(run['variant'], []).append(run)
    summary = dict(variants={}, differences={})
    for name, group in variants.items():
        group.sort(key=lambda r: r['seed'])
        entry = dict(seeds=[r['seed'] for r in group],
                     seconds=_mean_std(r['seconds'] for r in group))
        for metric in METRIC_NAMES:
            entry[metric] = _mean_std(_final(r, metric) for r in group)
        attention = [r['attention'] for r in group if r.get('attention')]
        if attention:
            entry['attention_mean_abs_dev'] = _mean_std(a['mean_abs_dev'] for a in attention)
            entry['attention_max_abs_dev'] = _mean_std(a['max_abs_dev'] for a in attention)
        summary['variants'][name] = entry
    for name, base in BASELINE_OF.items():
        if name in variants and base in variants:
            summary['differences'][f'{name} - {base}'] = _differences(
                variants[name], variants[base], summary['variants'])
    return summary


def _differences(runs, base_runs, entries):
    by_seed = {r['seed']: r for r in base_runs}
    paired = [(r, by_seed[r['seed']]) for r in runs if r['seed'] in by_seed]
    out = {}
    for metric in METRIC_NAMES:
        diff = _mean_std(_final(a, metric) - _final(b, metric) for a, b in paired)
        spread = max(entries[runs[0]['variant']][metric]['std'],
                     entries[base_runs[0]['variant']][metric]['std'])
        diff.update(seeds_better=sum(d > 0 for d in diff['values']), seeds=len(paired),
                    seed_spread=spread,
                    beyond_spread=bool(diff['mean'] > 0 and diff['mean'] > spread))
        out[metric] = diff
    return out


def _pm(stat, scale=100.0, signed=False, digits=1):
    sign = '+' if signed else ''
    return f"{stat['mean'] * scale:{sign}.{digits}f} ± {stat['std'] * scale:.{digits}f}"


def markdown_table(summary):
    """Variant table (mAP in %, mean ± std over seeds) and the difference table."""
    lines = ['| variant | seeds | bbox mAP (%) | mAP@0.5 (%) | wall time per run (s) | '
             'attention mean abs(A-1) (%) | attention max abs(A-1) (%) |',
             '|---|---|---|---|---|---|---|']
    for name, e in summary['variants'].items():
        att = [_pm(e[k], digits=3) if k in e else '–'
               for k in ('attention_mean_abs_dev', 'attention_max_abs_dev')]
        lines.append(f"| {name} | {len(e['seeds'])} | {_pm(e['coco/bbox_mAP'])} | "
                     f"{_pm(e['coco/bbox_mAP_50'])} | {_pm(e['seconds'], 1.0)} | "
                     f"{att[0]} | {att[1]} |")
    if summary['differences']:
        lines += ['', '| difference (paired by seed) | bbox mAP (points) | mAP@0.5 (points) | '
                  'seeds better | beyond seed spread? |', '|---|---|---|---|---|']
        for name, d in summary['differences'].items():
            m, m50 = d['coco/bbox_mAP'], d['coco/bbox_mAP_50']
            verdict = ', '.join(f"{METRIC_NAMES[k]}: {'yes' if d[k]['beyond_spread'] else 'no'}"
                                for k in METRIC_NAMES)
            lines.append(f"| {name} | {_pm(m, signed=True)} | {_pm(m50, signed=True)} | "
                         f"{m['seeds_better']}/{m['seeds']} (mAP), "
                         f"{m50['seeds_better']}/{m50['seeds']} (mAP@0.5) | {verdict} |")
    return '\n'.join(lines) + '\n'
