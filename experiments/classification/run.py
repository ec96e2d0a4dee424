"""One (variant, seed) classification run in its own process: train with mmengine's Runner,
test the last weights on the test split, measure the attention, write ``result.json``.

python -m experiments.classification.run RUN_CONFIG --work-dir DIR [--resume]

A process per run means a crash loses only that run; ``--resume`` continues from the last
checkpoint in DIR (the data loader is advanced past the trained batches, and the augmentation is
seeded by iteration, so the resumed run sees the batches of the uninterrupted one).
"""
import argparse
import json
import os
import os.path as osp
import time

RESULT_FILE = 'result.json'


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('config', help='the run config (written by tools/compare_classification.py)')
    p.add_argument('--work-dir', required=True, help='logs, checkpoints, val curve, result.json')
    p.add_argument('--resume', action='store_true', help='continue from the last checkpoint')
    p.add_argument('--attention-images', type=int, default=32,
                   help='test images (the first ones) the attention is measured on')
    return p.parse_args(argv)


def fixed_test_batch(runner, num_images):
    """The first ``num_images`` test images, preprocessed as in evaluation."""
    from torch.utils.data import default_collate
    dataset = runner.test_dataloader.dataset
    batch = default_collate([dataset[i] for i in range(min(num_images, len(dataset)))])
    return runner.model.data_preprocessor(batch, False)['inputs']


def write_json_atomic(path, obj):
    """Write JSON so that the file is either absent or complete."""
    tmp = f'{path}.tmp{os.getpid()}'
    with open(tmp, 'w') as f:
        json.dump(obj, f, indent=1)
    os.replace(tmp, path)


def main(argv=None):
    args = parse_args(argv)
    import torch
    from mmengine.config import Config
    from mmengine.runner import Runner

    import aw_mmdet  # noqa: F401  (registries, safe checkpoint loading)
    from experiments.classification.attention import attention_deviation
    from experiments.classification.metric import read_curve

    start = time.time()
    cfg = Config.fromfile(args.config)
    cfg.work_dir = osp.abspath(args.work_dir)
    if args.resume:
        cfg.resume, cfg.load_from = True, None
    runner = Runner.from_cfg(cfg)
    train_start = time.time()
    runner.train()
    train_seconds = time.time() - train_start
    test_metrics = runner.test()
    model = runner.model
    attention = attention_deviation(model, fixed_test_batch(runner, args.attention_images))
    result = dict(
        test={k: float(v) for k, v in test_metrics.items()},
        curve=read_curve(cfg.work_dir),
        iters=runner.iter,
        train_seconds=train_seconds,
        process_seconds=time.time() - start,
        resumed=bool(args.resume),
        threads=torch.get_num_threads(),
        num_params=sum(p.numel() for p in model.parameters()),
        attention=attention,
        attention_images=args.attention_images)
    write_json_atomic(osp.join(cfg.work_dir, RESULT_FILE), result)
    print(f"test top-1 {result['test'].get('cls/top1', float('nan')):.2f} % after {runner.iter} "
          f'iterations, {train_seconds:.1f} s training')


if __name__ == '__main__':
    main()
