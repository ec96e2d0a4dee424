"""Training-step cost of the variants, timed interleaved so drift and other load hit all alike.

A step is what the Runner does per iteration: preprocessing, forward, loss, backward and the
optimizer update, on one fixed training batch (timing: experiments/benchmark/timing.py).
"""
import argparse
import json

from .runs import write_json


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('configs', nargs='+', metavar='NAME=CONFIG', help='one run config per variant')
    p.add_argument('--out', required=True, help='JSON file to write')
    p.add_argument('--reps', type=int, default=10, help='timed repetitions per variant')
    p.add_argument('--steps', type=int, default=3, help='training steps per repetition')
    p.add_argument('--warmup', type=int, default=2, help='untimed repetitions per variant first')
    return p.parse_args(argv)


def build_step(config, batch=None):
    """(a closure running one training step of the config's model, the batch it trains on).

    Args:
        config (str): a run config.
        batch (dict, optional): the batch to use; default: the first of its train loader.
    """
    from mmdet.registry import MODELS
    from mmengine.config import Config
    from mmengine.optim import build_optim_wrapper
    from mmengine.registry import init_default_scope
    from mmengine.runner import Runner

    cfg = Config.fromfile(config)
    init_default_scope(cfg.get('default_scope', 'mmdet'))
    if batch is None:
        loader = dict(cfg.train_dataloader, num_workers=0, persistent_workers=False)
        batch = next(iter(Runner.build_dataloader(loader, seed=0)))
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    return (lambda: model.train_step(batch, optim_wrapper)), batch


def main(argv=None):
    args = parse_args(argv)
    import torch

    import aw_mmdet  # noqa: F401
    from experiments.benchmark.timing import time_many

    torch.manual_seed(0)
    steps, batch = {}, None
    for item in args.configs:
        name, config = item.split('=', 1)
        step, batch = build_step(config, batch)
        steps[name] = lambda step=step: [step() for _ in range(args.steps)]
    timing = time_many(steps, reps=args.reps, warmup=args.warmup)
    out = dict(step_seconds={k: v['median'] / args.steps for k, v in timing.items()},
               timing=timing, threads=torch.get_num_threads(), reps=args.reps, steps=args.steps,
               warmup=args.warmup)
    write_json(args.out, out)
    print(json.dumps(out['step_seconds']))


if __name__ == '__main__':
    main()
