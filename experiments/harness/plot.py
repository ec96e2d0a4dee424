"""The comparison's figure: metric curves with the spread over seeds, one colour per variant."""
import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def plot_curves(runs, metrics, out_file, title=''):
    """One panel per metric of ``metrics`` (key -> label) over the runs' validation curves (mean
    over seeds, shaded min-max: overlap shows), then the final metric per seed."""
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

