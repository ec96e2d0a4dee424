"""Training-step cost of the variants at the comparison's input size, timed in one interleaved
loop (variants alternate every repetition, so drift and other load hit all of them alike).

python -m experiments.classification.cost CONFIG --variants stock aw se aw_se --out cost.json

A step is what the Runner does per iteration: preprocessing (with augmentation), forward, loss,
backward and the optimizer update, on one fixed batch of training images.
"""
import argparse
import json
import statistics
import time

from mmengine.config import DictAction

RATIOS = (('aw', 'stock'), ('se', 'stock'), ('aw_se', 'stock'), ('aw_se', 'se'))


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('config', help='the stock classifier config')
    p.add_argument('--variants', nargs='+', default=['stock', 'aw'])
    p.add_argument('--out', required=True, help='JSON file to write')
    p.add_argument('--reps', type=int, default=10, help='timed repetitions per variant')
    p.add_argument('--steps', type=int, default=3, help='training steps per repetition')
    p.add_argument('--warmup', type=int, default=2, help='untimed steps per variant first')
    p.add_argument('--cfg-options', nargs='+', action=DictAction, default={},
                   help='key=value config overrides (mmengine DictAction syntax)')
    return p.parse_args(argv)


def build_step(cfg, variant, batch):
    """A closure running one training step of ``variant`` on ``batch``."""
    import copy

    from mmdet.registry import MODELS
    from mmengine.optim import build_optim_wrapper

    from experiments.classification.variants import apply_variant
    vcfg = apply_variant(copy.deepcopy(cfg), variant)
    model = MODELS.build(vcfg.model)
    model.init_weights()
    model.train()
    optim_wrapper = build_optim_wrapper(model, vcfg.optim_wrapper)
    return lambda: model.train_step(batch, optim_wrapper)


def time_interleaved(steps_by_name, reps, steps, warmup):
    """{name: {'median_s', 'min_s', 'max_s', 'n'}} per training step."""
    names = list(steps_by_name)
    for name in names:
        for _ in range(warmup):
            steps_by_name[name]()
    samples = {name: [] for name in names}
    for rep in range(reps):
        order = names[rep % len(names):] + names[:rep % len(names)]
        for name in (order if rep % 2 == 0 else order[::-1]):
            start = time.perf_counter()
            for _ in range(steps):
                steps_by_name[name]()
            samples[name].append((time.perf_counter() - start) / steps)
    return {name: dict(median_s=statistics.median(v), min_s=min(v), max_s=max(v), n=len(v))
            for name, v in samples.items()}


def main(argv=None):
    args = parse_args(argv)
    import torch
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from torch.utils.data import default_collate

    import aw_mmdet  # noqa: F401
    import experiments.classification  # noqa: F401
    from experiments.classification.data import DigitsClsDataset

    cfg = Config.fromfile(args.config)
    cfg.merge_from_dict(args.cfg_options)
    init_default_scope('mmdet')
    torch.manual_seed(0)
    batch_size = cfg.train_dataloader.batch_size
    data_cfg = {k: v for k, v in cfg.train_dataloader.dataset.items() if k != 'type'}
    data_cfg['max_scans'] = batch_size  # >= 1 render per scan: at least one batch
    dataset = DigitsClsDataset(**data_cfg)
    batch = default_collate([dataset[i] for i in range(batch_size)])
    steps = {v: build_step(cfg, v, batch) for v in args.variants}
    timing = time_interleaved(steps, args.reps, args.steps, args.warmup)
    ratios = {f'{a}/{b}': timing[a]['median_s'] / timing[b]['median_s']
              for a, b in RATIOS if a in timing and b in timing}
    out = dict(variants=timing, ratios=ratios, threads=torch.get_num_threads(),
               batch_size=batch_size, image_size=tuple(batch['inputs'].shape[-2:]),
               reps=args.reps, steps=args.steps, warmup=args.warmup)
    with open(args.out, 'w') as f:
        json.dump(out, f, indent=1)
    print(json.dumps(ratios))


if __name__ == '__main__':
    main()
