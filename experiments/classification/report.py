"""Summary of a classification comparison: per-variant test top-1 over seeds, paired differences
with confidence intervals and detectable differences, wall time, step cost and attention movement,
as a JSON-ready dict, a markdown report and a plot."""
import math

from ..stats import mean_std, paired_difference
from .variants import COMPARISONS

METRIC = 'cls/top1'


def _by_variant(runs):
    groups = {}
    for run in runs:
        groups.setdefault(run['variant'], []).append(run)
    for group in groups.values():
        group.sort(key=lambda r: r['seed'])
    return groups


def _attention_summary(group):
    """{stage: {'mean'|'p99'|'max': mean_std over seeds}} or None without AW."""
    stats = [r['attention'] for r in group if r.get('attention')]
    if not stats:
        return None
    stages = sorted(set.intersection(*(set(s) for s in stats)))
    return {stage: {k: mean_std(s[stage][k] for s in stats) for k in ('mean', 'p99', 'max')}
            for stage in stages}


def summarize(runs, cost=None, variant_order=None):
    """The comparison's numbers from the finished runs.

    Args:
        runs (list[dict]): one dict per finished run: variant, seed, test (metrics), curve,
            wall_seconds, attention.
        cost (dict, optional): the step-cost micro-benchmark (experiments.classification.cost).
        variant_order (list[str], optional): order of the variants in the output.
    """
    groups = _by_variant(runs)
    order = [v for v in (variant_order or sorted(groups)) if v in groups]
    summary = dict(metric=METRIC, variants={}, differences={}, cost=cost)
    for name in order:
        group = groups[name]
        summary['variants'][name] = dict(
            seeds=[r['seed'] for r in group],
            top1=mean_std(r['test'][METRIC] for r in group),
            wall_seconds=mean_std(r['wall_seconds'] for r in group),
            train_seconds=mean_std(r['train_seconds'] for r in group),
            attention=_attention_summary(group))
    for name, base in COMPARISONS:
        if name in groups and base in groups:
            summary['differences'][f'{name} - {base}'] = paired_difference(
                {r['seed']: r['test'][METRIC] for r in groups[name]},
                {r['seed']: r['test'][METRIC] for r in groups[base]})
    return summary


def _fmt(value, digits=2, signed=False):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return '–'
    return f'{value:{"+" if signed else ""}.{digits}f}'


def _pm(stat, digits=2, signed=False):
    return f"{_fmt(stat['mean'], digits, signed)} ± {_fmt(stat['std'], digits)}"


def markdown_report(summary, header_lines=()):
    """The report: variants table, paired differences, step cost, attention per stage.

    Args:
        summary (dict): the output of :func:`summarize`.
        header_lines (Iterable[str]): lines put first (command, date, setup).
    """
    lines = list(header_lines)
    cost = summary.get('cost') or {}
    step = cost.get('variants', {})
    stock_step = step.get('stock', {}).get('median_s')
    lines += ['', '## Test top-1 per variant', '',
              '| variant | seeds | test top-1 (%) mean ± std | per seed | wall per run (s) | '
              'train step (ms) | step cost vs stock |', '|---|---|---|---|---|---|---|']
    for name, v in summary['variants'].items():
        per_seed = ', '.join(f'{x:.2f}' for x in v['top1']['values'])
        ms = step.get(name, {}).get('median_s')
        ratio = ms / stock_step if ms and stock_step else None
        lines.append(f"| {name} | {v['top1']['n']} | {_pm(v['top1'])} | {per_seed} | "
                     f"{_pm(v['wall_seconds'], 0)} | {_fmt(ms and ms * 1e3, 1)} | "
                     f'{_fmt(ratio, 2)}{"x" if ratio else ""} |')
    if summary['differences']:
        lines += ['', '## Paired differences (same seed = same data order and augmentation)', '',
                  '| difference | mean (points) | 95 % CI (t) | std of differences | seeds better |'
                  ' p (paired t) | min. detectable (80 % power) |', '|---|---|---|---|---|---|---|']
        for name, d in summary['differences'].items():
            ci = f"[{_fmt(d['ci'][0], 2, True)}, {_fmt(d['ci'][1], 2, True)}]" if d['ci'] else '–'
            lines.append(f"| {name} | {_fmt(d['mean'], 2, True)} | {ci} | {_fmt(d['std'])} | "
                         f"{d['seeds_better']}/{d['n']} | {_fmt(d['p_value'], 3)} | "
                         f"{_fmt(d['mdd'])} |")
        lines += ['', 'Minimum detectable difference: the true mean difference a two-sided '
                  'paired t-test (alpha 0.05) over these seeds finds with 80 % power, given the '
                  'observed std of the differences.']
    if cost:
        lines += ['', f"## Training-step cost (interleaved micro-benchmark, batch "
                  f"{cost['batch_size']}, {cost['image_size'][0]} px, {cost['threads']} "
                  'thread(s))', '', '| ratio | median step time ratio |', '|---|---|']
        lines += [f'| {k} | {v:.2f}x |' for k, v in cost['ratios'].items()]
    att = {n: v['attention'] for n, v in summary['variants'].items() if v['attention']}
    if att:
        lines += ['', '## How far the attention moved: |A - 1| on a fixed test batch, per stage '
                  '(mean over seeds)', '', '| variant | stage | mean | p99 | max |',
                  '|---|---|---|---|---|']
        for name, stages in att.items():
            for stage, s in stages.items():
                lines.append(f"| {name} | {stage} | {_fmt(s['mean']['mean'], 4)} | "
                             f"{_fmt(s['p99']['mean'], 4)} | {_fmt(s['max']['mean'], 4)} |")
    return '\n'.join(lines) + '\n'


def plot(runs, out_file, title=''):
    """Validation top-1 against iteration (mean over seeds, band: min-max over seeds) and the
    per-seed test top-1 of every variant.

    Args:
        runs (list[dict]): finished runs (variant, seed, curve, test).
        out_file (str): PNG path.
        title (str): figure title. Defaults to a description of the bands.
    """
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    import numpy as np

    groups = _by_variant(runs)
    fig, (ax, ax_test) = plt.subplots(1, 2, figsize=(12, 4.5),
                                      gridspec_kw=dict(width_ratios=[2.2, 1]))
    for i, (name, group) in enumerate(groups.items()):
        steps = sorted(set.intersection(*({s for s, _ in r['curve']} for r in group)))
        if steps:
            values = np.array([[dict(r['curve'])[s][METRIC] for s in steps] for r in group])
            line, = ax.plot(steps, values.mean(0), marker='o', ms=3,
                            label=f'{name} ({len(group)} seeds)')
            ax.fill_between(steps, values.min(0), values.max(0), color=line.get_color(),
                            alpha=0.2)
            colour = line.get_color()
        else:
            colour = f'C{i}'
        tops = [r['test'][METRIC] for r in group]
        ax_test.scatter([i] * len(tops), tops, color=colour, alpha=0.7)
        ax_test.errorbar([i + 0.2], [np.mean(tops)], yerr=[np.std(tops, ddof=1) if len(tops) > 1
                                                            else 0], fmt='s', color=colour,
                         capsize=4)
    ax.set_xlabel('iteration')
    ax.set_ylabel('val top-1 (%)')
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax_test.set_xticks(range(len(groups)), list(groups))
    ax_test.set_xlim(-0.5, len(groups) - 0.5)
    ax_test.set_ylabel('test top-1 (%)')
    ax_test.set_title('test: seeds (dots), mean ± std', fontsize=9)
    ax_test.grid(alpha=0.3)
    fig.suptitle(title or 'validation top-1 (mean over seeds; band: min-max over seeds)')
    fig.tight_layout()
    fig.savefig(out_file, dpi=110)
    plt.close(fig)
    return out_file
