"""One run of a comparison in its own process: train, test, ablate AW's attention, record.

Training uses mmengine's Runner with tools/train.py's input checks. The run config carries
``harness = dict(phase, test, ablation)`` (Study.protocol_v3): ``test`` reads the test split once
after the last iteration, and ``ablation`` evaluates an AW model's attention ablations on it and
measures |A - 1| (harness/ablation.py). ``result.json`` is written atomically: a killed run leaves
none, and is run again.
"""
import argparse
import glob
import json
import os.path as osp
import time

from experiments.harness.runs import RESULT, config_key, write_json

LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('config', help='the run config (written by harness/runs.py)')
    p.add_argument('--work-dir', required=True, help='logs, checkpoints and result.json')
    p.add_argument('--variant', required=True)
    p.add_argument('--seed', type=int, required=True)
    p.add_argument('--metrics', nargs='+', required=True, help='metric keys to keep')
    p.add_argument('--resume', action='store_true', help='continue from the last checkpoint')
    return p.parse_args(argv)


def read_curve(work_dir, metrics):
    """[(iteration, {metric: value})] of every validation, from the LocalVisBackend's
    ``scalars.json`` files (a resumed run has one per attempt; the last value of a step wins)."""
    rows = {}
    for path in sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))):
        with open(path) as f:
            lines = [json.loads(line) for line in f if line.strip()]
        for row in lines:
            if metrics[0] in row:
                rows[int(row['step'])] = {m: float(row[m]) for m in metrics}
    return sorted(rows.items())


def main(argv=None):
    start = time.time()
    args = parse_args(argv)
    import torch
    from mmengine.config import Config

    from aw_mmdet.utils import (
        build_runner,
        check_dataset_files,
        commit,
        enable_input_checks,
        partial_path,
        tune_glibc_malloc,
    )
    from experiments.harness.ablation import run_ablations

    tune_glibc_malloc()
    cfg = Config.fromfile(args.config)
    cfg.work_dir = osp.abspath(args.work_dir)
    key = config_key(args.config, cfg.work_dir)
    resumed_from = None
    if args.resume:
        cfg.resume, cfg.load_from = True, None
        with open(osp.join(cfg.work_dir, 'last_checkpoint')) as f:
            resumed_from = osp.basename(f.read().strip())
    check_dataset_files(cfg, LOADERS)
    enable_input_checks(cfg, LOADERS)
    harness = cfg.harness
    read_test = harness.test
    runner = build_runner(cfg)
    runner.train()
    test = {k: float(v) for k, v in runner.test().items()} if read_test else None
    ablations = run_ablations(runner, harness['ablation']) if harness.ablation else None
    curve = read_curve(cfg.work_dir, args.metrics)
    if not (test or curve):
        raise SystemExit(f'no {args.metrics[0]} in any validation of {cfg.work_dir}')
    attention = ablations.pop('attention') if ablations else None
    result = dict(
        variant=args.variant, seed=args.seed,
        config_sha256=key,
        metrics={m: (test or curve[-1][1])[m] for m in args.metrics}, test=test, curve=curve,
        attention=attention, ablations=ablations,
        phase=harness.phase, iters=runner.iter, resumed=args.resume,
        resumed_from=resumed_from, threads=torch.get_num_threads(),
        wall_seconds=time.time() - start,
        num_params=sum(p.numel() for p in runner.model.parameters()))
    partial = partial_path(osp.join(cfg.work_dir, RESULT))
    write_json(partial, result)
    commit(partial, osp.join(cfg.work_dir, RESULT))
    print(f"{args.variant} seed {args.seed}: {result['metrics']} after {runner.iter} iterations")


if __name__ == '__main__':
    main()
