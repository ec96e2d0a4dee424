"""The numbers of a comparison and their markdown (the statistics are stats.py's): per variant,
mean ± std over seeds and |A - 1| per stage; per pair, the paired difference (primaries with
p-value and detectable difference, secondaries exploratory); the AW runs' attention ablations."""
from ..stats import mean_std, min_detectable_difference, paired_difference, primary_metric
from .ablation import MODES

STAT_KEYS = ('mean', 'max')
VARIATION_KEYS = ('between_sd', 'mean_abs_dev', 'between_share')
#: the primaries' MDD is at Holm's first step, the level the seed count was planned for (5.4)
PRIMARY_ALPHA = 0.025
PRIMARY_NOTE = ("Verdict: not given by this report alone. The primary's test is the one above, "
                "unadjusted; its verdict is Holm's correction over the two primaries (detection "
                'aw - stock and classification aw - stock, family-wise alpha 0.05): `python -m '
                'experiments.harness.verdict DETECTION_RESULTS CLASSIFICATION_RESULTS`.')
#: column -> (header, cell of a paired difference ``d`` at ``scale``)
COLUMNS = dict(
    mean=('mean (points)', lambda d, scale: _num(d['mean'], scale, signed=True)),
    ci=('95 % CI (t)', lambda d, scale: '–' if d['ci'] is None else '[{}, {}]'.format(
        *(_num(v, scale, signed=True) for v in d['ci']))),
    std=('std of differences', lambda d, scale: _num(d['std'], scale)),
    better=('seeds better', lambda d, scale: f"{d['seeds_better']}/{d['n']}"),
    p=('p (paired t, unadjusted)', lambda d, scale: _num(d['p_value'], digits=3)),
    mdd=(f'min. detectable (80 % power, alpha {PRIMARY_ALPHA})',
         lambda d, scale: _num(d['mdd'], scale)))


def by_variant(runs, order=None):
    """{variant: its runs sorted by seed}, in ``order`` (default: first seen)."""
    groups = {name: [] for name in order or []}
    for run in runs:
        groups.setdefault(run['variant'], []).append(run)
    return {k: sorted(v, key=lambda r: r['seed']) for k, v in groups.items() if v}


def _attention(group):
    """Over the seeds: overall and per-stage mean/max of |A - 1| (mean_std each)."""
    stats = [r['attention'] for r in group if r.get('attention')]
    if not stats:
        return None
    stages = set.intersection(*(set(a.get('stages', {})) for a in stats))
    out = {k: mean_std(a[k] for a in stats) for k in ('mean_abs_dev', 'max_abs_dev')
           if all(k in a for a in stats)}
    out['stages'] = {s: {k: mean_std(a['stages'][s][k] for a in stats) for k in STAT_KEYS}
                     for s in sorted(stages)}
    return out


def _ablations(group, metrics):
    """Over ablated seeds: full minus each ablation (paired), A's variation per stage; or None."""
    runs = [r['ablations'] for r in group if r.get('ablations')]
    if not runs:
        return None
    seeds = [r['seed'] for r in group if r.get('ablations')]

    def by_seed(mode, metric):
        return {s: a['metrics'][mode][metric] for s, a in zip(seeds, runs)}

    stages = set.intersection(*(set(a['variation']) for a in runs))
    variation = {stage: {k: _mean_std_of(a['variation'][stage][k] for a in runs)
                         for k in VARIATION_KEYS} for stage in sorted(stages)}
    return dict(differences={f'full - {mode}': {m: paired_difference(
        by_seed('full', m), by_seed(mode, m)) for m in metrics} for mode in MODES[1:]},
        variation=variation)


def _mean_std_of(values):
    values = [v for v in values if v is not None]
    return mean_std(values) if values else None


def summarize(study, runs, order=None):
    """The comparison's numbers (JSON-ready).

    Args:
        study (Study): metrics, primary and secondary comparisons.
        runs (list[dict]): finished run records (harness/run.py).
        order (list[str], optional): order of the variants. Defaults to first seen.
    """
    groups = by_variant(runs, order)
    summary = dict(metrics=study.metrics, percent=study.percent, variants={}, differences={})
    for name, group in groups.items():
        entry = dict(seeds=[r['seed'] for r in group],
                     wall_seconds=mean_std(r['wall_seconds'] for r in group),
                     attention=_attention(group),
                     ablations=_ablations(group, study.metrics))
        entry.update({m: mean_std(r['metrics'][m] for r in group) for m in study.metrics})
        summary['variants'][name] = entry
    pairs = [(c, 'primary') for c in study.primary] + [(c, 'secondary') for c in study.secondary]
    for (name, base), role in pairs:
        if name not in groups or base not in groups:
            continue
        by_metric = summary['differences'][f'{name} - {base}'] = {m: paired_difference(
            {r['seed']: r['metrics'][m] for r in groups[name]},
            {r['seed']: r['metrics'][m] for r in groups[base]}) for m in study.metrics}
        for d in by_metric.values():
            d.update(role=role, mdd_alpha=PRIMARY_ALPHA if role == 'primary' else None)
            d['mdd'] = min_detectable_difference(d['std'], d['n'], PRIMARY_ALPHA) \
                if role == 'primary' else None
    return summary


def _num(value, scale=1.0, digits=2, signed=False):
    return '–' if value is None else f"{value * scale:{'+' if signed else ''}.{digits}f}"


def _pm(stat, scale=1.0, digits=2):
    return '–' if stat is None else f'{_num(stat["mean"], scale, digits)} ± ' \
        f'{_num(stat["std"], scale, digits)}'


def _difference_table(first, differences, metrics, scale, columns):
    """A table with one row per (difference, metric): ``first`` heads the names' column."""
    head = [first, 'metric'] + [COLUMNS[c][0] for c in columns]
    lines = ['', '| ' + ' | '.join(head) + ' |', '|---' * len(head) + '|']
    for name, by_metric in differences.items():
        for metric, d in by_metric.items():
            lines.append('| ' + ' | '.join([name, metrics[metric]]
                                           + [COLUMNS[c][1](d, scale) for c in columns]) + ' |')
    return lines


def _comparisons(summary, scale):
    """The primary comparison's table and note, then the secondaries'."""
    metrics, differences = summary['metrics'], summary['differences']
    lines = []
    for role, title, columns, note in (
            ('primary', 'primary comparison (paired by seed)',
             ['mean', 'ci', 'std', 'better', 'p', 'mdd'], ['', PRIMARY_NOTE]),
            ('secondary', 'secondary comparison (exploratory, no verdict)',
             ['mean', 'ci', 'better'], [])):
        chosen = {k: v for k, v in differences.items()
                  if next(iter(v.values())).get('role') == role}
        if chosen:
            lines += _difference_table(title, chosen, metrics, scale, columns) + note
    return lines


def _ablation_tables(summary, scale):
    ablated = {n: e['ablations'] for n, e in summary['variants'].items() if e.get('ablations')}
    if not ablated:
        return []
    lines = _difference_table(
        'attention ablation, test split (paired by seed; exploratory)',
        {f'{name}: {diff}': by_metric for name, a in ablated.items()
         for diff, by_metric in a['differences'].items()},
        summary['metrics'], scale, ['mean', 'ci', 'better'])
    lines += ['', '| variant | AW stage | between-image sd of A (%) | mean abs(A-1) (%) | '
              'between-image share of E[(A-1)^2] |', '|---|---|---|---|---|']
    for name, a in ablated.items():
        lines += [f"| {name} | {stage} | {_pm(v['between_sd'], 100, 3)} | "
                  f"{_pm(v['mean_abs_dev'], 100, 3)} | {_pm(v['between_share'], 1, 3)} |"
                  for stage, v in a['variation'].items()]
    return lines


def markdown(summary, header=()):
    """The report of :func:`summarize`'s ``summary``, ``header`` lines first."""
    _, scale = primary_metric(summary)
    metrics = summary['metrics']
    lines = list(header) + ['', '| variant | seeds | ' + ''.join(
        f'{label} (%) | per seed | ' for label in metrics.values()) + 'wall per run (s) |',
        '|---' * (3 + 2 * len(metrics)) + '|']
    for name, e in summary['variants'].items():
        cells = [f"{_pm(e[m], scale)} | {', '.join(_num(v, scale) for v in e[m]['values'])}"
                 for m in metrics]
        lines.append(f"| {name} | {len(e['seeds'])} | {' | '.join(cells)} | "
                     f"{_pm(e['wall_seconds'], digits=0)} |")
    lines += _comparisons(summary, scale)
    attention = {n: e['attention'] for n, e in summary['variants'].items() if e['attention']}
    if attention:
        lines += ['', '| variant | AW stage | mean abs(A-1) (%) | max (%) |', '|---|---|---|---|']
        for name, a in attention.items():
            lines += [f"| {name} | {stage} | {' | '.join(_pm(s[k], 100, 3) for k in STAT_KEYS)} |"
                      for stage, s in a['stages'].items()]
    return '\n'.join(lines + _ablation_tables(summary, scale)) + '\n'
