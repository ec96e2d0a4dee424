"""The comparison's figures: metric curves with the spread over seeds, and the attention's
learning dynamics (AttentionDynamicsHook rows), one colour per variant (mean over its seeds)."""
import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def plot_curves(runs, metrics, out_file, title=''):
    """One panel per metric (mean over seeds, shaded min-max: overlap shows), then finals per seed.

    Args:
        runs (list[dict]): finished runs: variant, seed, curve [(iter, {metric: v})], metrics.
        metrics (dict): metric key -> label.
        out_file (str): where the PNG goes.
        title (str): figure title.
    """
    from .report import by_variant
    groups = by_variant(runs)
    fig, axes = plt.subplots(1, len(metrics) + 1, figsize=(4.5 * len(metrics) + 3.5, 4),
                             gridspec_kw=dict(width_ratios=[2] * len(metrics) + [1]))
    for ax, (metric, label) in zip(axes, metrics.items()):
        for name, group in groups.items():
            steps = sorted(set.intersection(*({s for s, _ in r['curve']} for r in group)))
            values = np.array([[dict(r['curve'])[s][metric] for s in steps] for r in group])
            line, = ax.plot(steps, values.mean(0), marker='o', ms=3,
                            label=f'{name} ({len(group)} seeds)')
            ax.fill_between(steps, values.min(0), values.max(0), color=line.get_color(), alpha=0.2)
        ax.set(xlabel='iteration', ylabel=f'validation {label}')
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    metric, final = next(iter(metrics)), axes[-1]
    for i, group in enumerate(groups.values()):
        values = [r['metrics'][metric] for r in group]
        final.scatter([i] * len(values), values, color=f'C{i}', alpha=0.7)
        spread = np.std(values, ddof=1) if len(values) > 1 else 0.0
        final.errorbar([i + 0.2], [np.mean(values)], yerr=[spread], fmt='s', color=f'C{i}',
                       capsize=4)
    split = 'test' if all(r.get('test') for r in runs) else 'last validation'
    final.set_xticks(range(len(groups)), list(groups), rotation=30, ha='right')
    final.set(xlim=(-0.5, len(groups) - 0.5), title=f'{split} {metrics[metric]} per seed')
    final.grid(alpha=0.3)
    fig.suptitle(title or 'validation (mean over seeds; shaded: min-max over seeds)', fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 0.92))
    fig.savefig(out_file, dpi=110)
    plt.close(fig)
    return out_file


def _series(group, stage, value):
    """Iterations every run of ``group`` recorded, and ``value(stage_row)`` averaged over them."""
    per_run = [{r['iter']: value(r['stages'][stage]) for r in run['dynamics'] if r['iter'] > 1}
               for run in group]
    iters = sorted(set.intersection(*(set(p) for p in per_run)))
    return iters, np.array([[p[i] for i in iters] for p in per_run]).mean(0)


def plot_dynamics(runs, out_file, title=''):
    """Top: mean (solid) and p99 (dashed) of |A - 1| per stage; bottom: per-step update RMS of the
    logit-layer weights (solid, absolute: they start at 0) and of the AW conv weights (relative).

    Args:
        runs (list[dict]): runs with 'variant' and 'dynamics' (the hook's rows); others left out.
        out_file (str): where the PNG goes.
        title (str): figure title.
    """
    groups = {}
    for run in runs:
        if run.get('dynamics'):
            groups.setdefault(run['variant'], []).append(run)
    if not groups:
        raise ValueError('no run has learning dynamics (tools/compare.py --dynamics N)')
    stages = sorted(next(iter(groups.values()))[0]['dynamics'][0]['stages'])
    fig, axes = plt.subplots(2, len(stages), figsize=(4.2 * len(stages), 7.5), squeeze=False)
    for col, stage in enumerate(stages):
        top, bottom = axes[0, col], axes[1, col]
        for i, (name, group) in enumerate(groups.items()):
            colour, label = f'C{i}', f'{name} ({len(group)} seeds)'
            it, mean = _series(group, stage, lambda s: 100 * s['abs_a_minus_1']['mean'])
            top.plot(it, mean, color=colour, label=f'{label} mean')
            it, p99 = _series(group, stage, lambda s: 100 * s['abs_a_minus_1']['p99'])
            top.plot(it, p99, color=colour, ls='--', label='p99')
            it, logit = _series(group, stage, lambda s: s['logit']['update_rms'])
            bottom.plot(it, logit, color=colour, label=f'{name}: logit weights')
            it, weight = _series(group, stage,
                                 lambda s: s['weight']['update_rms'] / s['weight']['rms'])
            bottom.plot(it, weight, color=colour, ls=':', label=f'{name}: conv weight (relative)')
        top.set(title=f'{stage}: abs(A - 1) (%)', xlabel='iteration', yscale='log')
        bottom.set(title=f'{stage}: update RMS per step', xlabel='iteration', yscale='log')
        for ax in (top, bottom):
            ax.grid(alpha=0.3)
        if col == 0:
            top.legend(fontsize=7)
            bottom.legend(fontsize=7)
    fig.suptitle(title or 'attention learning dynamics')
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    fig.savefig(out_file, dpi=80)
    plt.close(fig)
    return out_file
