"""Figure of the attention's learning dynamics (AttentionDynamicsHook rows), one column per AW
stage, one colour per variant (mean over its seeds), so recipes can be compared at a glance."""
import json

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def load_dynamics(path):
    """The rows of an ``attention_dynamics.jsonl`` file."""
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def _series(group, stage, value):
    """Iterations every run of ``group`` recorded, and ``value(stage_row)`` averaged over them."""
    per_run = [{r['iter']: value(r['stages'][stage]) for r in run['dynamics'] if r['iter'] > 1}
               for run in group]
    iters = sorted(set.intersection(*(set(p) for p in per_run)))
    return iters, np.array([[p[i] for i in iters] for p in per_run]).mean(0)


def plot_dynamics(runs, out_file, title=''):
    """Top row: mean (solid) and p99 (dashed) of |A - 1| per stage; bottom row: per-step update
    RMS of the logit-layer weights (solid, absolute: they start at 0) next to the AW convs' own
    relative weight update (dotted).

    Args:
        runs (list[dict]): runs with 'variant' and 'dynamics' (the hook's rows); runs without
            dynamics are left out.
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
