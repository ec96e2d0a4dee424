"""Figure of the attention's learning dynamics (rows of AttentionDynamicsHook's JSONL)."""
import json

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402


def load_dynamics(path):
    """The rows of an ``attention_dynamics.jsonl`` file."""
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def plot_dynamics(rows, out_file, title=''):
    """Left: mean and p99 of |A - 1| per stage; right: per-step update RMS of the logit-layer
    weights next to the relative update of the AW convs' own weights, against iteration."""
    rows = [r for r in rows if r['iter'] > 1]
    stages = sorted(rows[0]['stages'])
    iters = [r['iter'] for r in rows]
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.2))
    for i, stage in enumerate(stages):
        colour = f'C{i}'
        dev = [r['stages'][stage]['abs_a_minus_1'] for r in rows]
        left.plot(iters, [100 * d['mean'] for d in dev], color=colour, label=f'{stage} mean')
        left.plot(iters, [100 * d['p99'] for d in dev], color=colour, ls='--', label=f'{stage} p99')
        logit = [r['stages'][stage]['logit']['update_rms'] for r in rows]
        weight = [r['stages'][stage]['weight']['update_rms'] / r['stages'][stage]['weight']['rms']
                  for r in rows]
        right.plot(iters, logit, color=colour, label=f'{stage} logit weights (absolute)')
        right.plot(iters, weight, color=colour, ls=':', label=f'{stage} conv weight (relative)')
    left.set(xlabel='iteration', ylabel='|A - 1| (%)', yscale='log',
             title='how far the attention has moved from 1')
    right.set(xlabel='iteration', ylabel='update RMS per step', yscale='log',
              title='per-step updates')
    for ax in (left, right):
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(out_file, dpi=80)
    plt.close(fig)
    return out_file
