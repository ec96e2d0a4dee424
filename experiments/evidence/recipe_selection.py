"""The recipe choice of docs/evidence_protocol.md section 2, as code, so that it is applied as
written: among the candidates trained on the selection seeds, the highest mean final bbox mAP
wins, unless it is within ``margin`` (0.5 points) of the plain recipe, which then stays.

    python -m experiments.evidence.recipe_selection work_dirs/evidence_selection

prints a table of the candidates and, last, the chosen variant's name.
"""
import argparse
import os.path as osp
import statistics

from ..harness.runs import read_record

CANDIDATES = ('aw', 'aw_attn_lr10', 'aw_attn_lr100')
SEEDS = (100, 101)
PLAIN = 'aw'
METRIC = 'coco/bbox_mAP'


def final_metrics(out_dir, candidates=CANDIDATES, seeds=SEEDS):
    """{variant: {seed: final bbox mAP}} from the finished runs' records; a missing run is an
    error that names it (the choice needs every candidate on every seed)."""
    table = {}
    for variant in candidates:
        for seed in seeds:
            run_dir = osp.join(out_dir, 'runs', variant, f'seed{seed}')
            record = read_record(run_dir)
            if record is None:
                raise FileNotFoundError(f'{run_dir}: run {variant} seed {seed} has not finished')
            table.setdefault(variant, {})[seed] = record['metrics'][METRIC]
    return table


def choose(metrics, plain=PLAIN, margin=0.005):
    """The chosen variant given {variant: {seed: mAP}} (mAP as a fraction; margin 0.5 points)."""
    means = {v: statistics.fmean(s.values()) for v, s in metrics.items()}
    best = max(means, key=means.get)
    return plain if means[best] - means[plain] <= margin else best


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('out', help="tools/compare.py's --out of the selection runs")
    args = parser.parse_args(argv)
    metrics = final_metrics(args.out)
    for variant, by_seed in metrics.items():
        per_seed = ', '.join(f'seed {s}: {100 * v:.1f}' for s, v in sorted(by_seed.items()))
        print(f'{variant}: mean {100 * statistics.fmean(by_seed.values()):.2f} ({per_seed})')
    print(choose(metrics))


if __name__ == '__main__':
    main()
