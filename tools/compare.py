r"""Evidence that AW learns: train stock and AW variants of the demo detector with the same
schedule, data order and seeds, evaluate each with CocoMetric, repeat over seeds, and report mean
and spread of bbox mAP / mAP@0.5, the AW-minus-stock difference, wall times and how far the
attention moved. See docs/evidence.md for the measured output.

python tools/compare.py --out work_dirs/evidence                       # stock vs AW, 3 seeds
python tools/compare.py --out work_dirs/evidence --variants stock aw aw_attn_lr10
python tools/compare.py --out work_dirs/evidence_r50 --depth 50 \
    --variants stock aw se aw_se cbam aw_cbam
python tools/compare.py --quick --out /tmp/cmp --data-root DIR         # smoke test (seconds)
Writes <out>/compare.md (tables), <out>/compare.json (all numbers and curves) and
<out>/compare_map.png (mAP vs iteration), and with --dynamics <out>/dynamics.png (how the attention
learned). Finished runs are cached in <out>/runs/ and reused.
"""
import argparse
import json
import os
import os.path as osp
import time

from experiments.evidence import VARIANTS, Schedule, summarize
from experiments.evidence.plot import plot_curves
from experiments.evidence.plot_dynamics import plot_dynamics
from experiments.evidence.report import markdown_table
from experiments.evidence.runs import run_one

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))

DEMO_CONFIG = osp.join(ROOT, 'configs', 'demo', 'faster_rcnn_aw_demo.py')
DEMO_DATA = osp.join(ROOT, 'data', 'aw_demo')


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--out', required=True, help='output directory (tables, JSON, plot, runs/)')
    p.add_argument('--variants', nargs='+', default=['stock', 'aw'], choices=sorted(VARIANTS))
    p.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    p.add_argument('--iters', type=int, default=150, help='training iterations per run')
    p.add_argument('--val-interval', type=int, default=50, help='validate every N iterations')
    p.add_argument('--batch-size', type=int, help="default: the demo config's")
    p.add_argument('--depth', type=int, help="ResNet depth (default: the demo config's, 18); "
                   'SE/CBAM variants need >= 50')
    p.add_argument('--config', default=DEMO_CONFIG, help='the AW demo config the variants change')
    p.add_argument('--data-root', default=DEMO_DATA, help='COCO-format digits data (made if it is '
                   'the default and missing)')
    p.add_argument('--dynamics', type=int, default=0, metavar='N',
                   help='record the attention learning dynamics every N iterations '
                        '(experiments/evidence/attention_dynamics.py)')
    p.add_argument('--quick', action='store_true',
                   help='smoke test: 2 seeds x 1 iteration, batch 2, no loader workers')
    p.add_argument('--rerun', action='store_true', help='ignore cached finished runs')
    args = p.parse_args(argv)
    if args.quick:
        args.seeds = args.seeds[:2] if len(args.seeds) > 2 else args.seeds
        args.iters, args.val_interval, args.batch_size = 1, 1, args.batch_size or 2
    if args.iters < 1 or not 1 <= args.val_interval <= args.iters:
        p.error(f'--iters must be >= 1 and --val-interval within 1..--iters, got '
                f'{args.iters} / {args.val_interval}')
    return args


def check_data(args):
    ann = osp.join(args.data_root, 'annotations', 'instances_train.json')
    if osp.isfile(ann):
        return
    if osp.abspath(args.data_root) == osp.abspath(DEMO_DATA):
        from experiments.demo import make_demo_data
        make_demo_data(args.data_root)
        return
    raise SystemExit(f'error: --data-root {args.data_root}: {ann} not found (make it with '
                     'tools/make_demo_data.py)')


def check_variants(args):
    """Every variant must apply to the config before hours of training start."""
    from mmengine.config import Config

    from experiments.evidence import apply_variant
    from experiments.evidence.run_config import set_depth
    for variant in args.variants:
        cfg = Config.fromfile(args.config)
        try:
            if args.depth is not None:
                set_depth(cfg, args.depth)
            apply_variant(cfg, variant)
        except ValueError as err:
            raise SystemExit(f'error: {err}')


def main(argv=None):
    args = parse_args(argv)
    check_data(args)
    check_variants(args)
    os.makedirs(args.out, exist_ok=True)
    schedule = Schedule(iters=args.iters, val_interval=args.val_interval,
                        batch_size=args.batch_size, log_interval=1 if args.quick else 10,
                        dynamics_interval=args.dynamics)
    start, runs = time.time(), []
    for seed in args.seeds:  # seed-major: a cut-short run still has complete pairs
        for variant in args.variants:
            t = time.time()
            run = run_one(args.config, variant, seed, schedule, args.data_root, args.out,
                          depth=args.depth, workers=0 if args.quick else None,
                          attention_images=1 if args.quick else 8, rerun=args.rerun)
            final = run['curve'][-1][1]
            print(f"[{time.time() - start:7.0f} s] {variant} seed {seed}: bbox mAP "
                  f"{final['coco/bbox_mAP']:.3f}, mAP@0.5 {final['coco/bbox_mAP_50']:.3f}, "
                  f"train {run['seconds']:.0f} s (this step {time.time() - t:.0f} s)", flush=True)
            runs.append(run)
    summary = summarize(runs)
    summary.update(total_seconds=time.time() - start, iters=args.iters,
                   val_interval=args.val_interval, seeds=args.seeds, variant_order=args.variants,
                   depth=args.depth, data_root=osp.abspath(args.data_root),
                   runs=[{k: r[k] for k in ('variant', 'seed', 'seconds', 'curve', 'attention',
                                            'dynamics') if k in r} for r in runs])
    table = markdown_table(summary)
    with open(osp.join(args.out, 'compare.md'), 'w') as f:
        f.write(f'{args.iters} iterations, validation every {args.val_interval}, seeds '
                f'{args.seeds}; total {summary["total_seconds"] / 60:.1f} min\n\n{table}')
    with open(osp.join(args.out, 'compare.json'), 'w') as f:
        json.dump(summary, f, indent=1)
    plot_curves(runs, osp.join(args.out, 'compare_map.png'),
                title=f'demo detector, {args.iters} iterations, seeds {args.seeds}: validation mAP '
                      '(mean; shaded min-max over seeds)')
    written = 'compare.md, compare.json, compare_map.png'
    if any(r.get('dynamics') for r in runs):
        plot_dynamics(runs, osp.join(args.out, 'dynamics.png'),
                      title=f'attention learning dynamics, seeds {args.seeds} (mean over seeds)')
        written += ', dynamics.png'
    print(table)
    print(f'written: {args.out}/{written} '
          f'({summary["total_seconds"] / 60:.1f} min)')


if __name__ == '__main__':
    main()
