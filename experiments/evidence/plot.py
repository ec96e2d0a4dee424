"""mAP against iteration, one line per variant (mean over seeds), shaded between the seeds' min
and max, so overlap between variants is visible at a glance."""
import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .report import METRIC_NAMES  # noqa: E402


def plot_curves(runs, out_file, title=''):
    variants = {}
    for run in runs:
        variants.setdefault(run['variant'], []).append(run)
    fig, axes = plt.subplots(1, len(METRIC_NAMES), figsize=(11, 4), squeeze=False)
    for ax, (metric, label) in zip(axes[0], METRIC_NAMES.items()):
        for name, group in variants.items():
            steps = sorted(set.intersection(*({s for s, _ in r['curve']} for r in group)))
            values = np.array([[dict(r['curve'])[s][metric] for s in steps] for r in group])
            line, = ax.plot(steps, values.mean(0), marker='o', ms=3,
                            label=f'{name} ({len(group)} seeds)')
            ax.fill_between(steps, values.min(0), values.max(0), color=line.get_color(), alpha=0.2)
        ax.set_xlabel('iteration')
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(title or 'validation mAP (mean over seeds; shaded: min-max over seeds)')
    fig.tight_layout()
    fig.savefig(out_file, dpi=110)
    plt.close(fig)
    return out_file
