"""The attention's learning dynamics in the documented R101 detector, for a few iterations.

The demo detector is an AW-ResNet-18 trained from scratch; users train
configs/faster_rcnn_r101_aw_fpn.py (frozen stem and stage 1, BN in eval mode, lr warm-up). This
trains that config unchanged except for what an offline CPU needs: the demo's digits data at a
small input size, no ImageNet download (stand-in: Kaiming init with every residual branch live,
``zero_init_residual=False``, and BN statistics measured on the data before the first step,
bn_calibration.py, as a pretrained network has them), no validation or checkpoints; and records
AttentionDynamicsHook every iteration.

    python -m experiments.evidence.r101_dynamics --out work_dirs/r101_dynamics --iters 20
    python -m experiments.evidence.r101_dynamics --out work_dirs/r101_dynamics_lr100 \
        --iters 20 --attention-lr-mult 100

Writes <out>/attention_dynamics.jsonl (the hook's rows) and <out>/summary.md.
"""
import argparse
import os
import os.path as osp
import subprocess
import sys
import time

from mmengine.config import Config

from experiments import DEMO_DATA, ROOT
from experiments.demo import CLASSES
from experiments.harness.runs import read_jsonl

R101_CONFIG = osp.join(ROOT, 'configs', 'faster_rcnn_r101_aw_fpn.py')


def r101_config(out_dir, iters, size, batch_size, attention_lr_mult=None, data_root=DEMO_DATA):
    """The R101 AW config, changed only where an offline CPU needs it; returns the dumped path.

    Args:
        out_dir (str): work dir of the run (the config is written there).
        iters (int): training iterations (all inside the stock 500-iteration lr warm-up).
        size (int): square input size.
        batch_size (int): images per iteration.
        attention_lr_mult (float, optional): lr multiplier (and no decay) for ``.attention.``.
        data_root (str): COCO-format digits data (tools/make_demo_data.py).
    """
    cfg = Config.fromfile(R101_CONFIG)
    cfg.model.backbone.init_cfg = None
    cfg.model.backbone.zero_init_residual = False
    cfg.model.roi_head.bbox_head.num_classes = len(CLASSES)
    loader = cfg.train_dataloader
    loader.update(batch_size=batch_size, num_workers=0, persistent_workers=False)
    loader.sampler = dict(type='InfiniteSampler', shuffle=True)
    loader.pop('batch_sampler', None)
    loader.dataset.update(data_root=data_root.rstrip('/') + '/', metainfo=dict(classes=CLASSES),
                          ann_file='annotations/instances_train.json',
                          data_prefix=dict(img='train/'))
    for step in loader.dataset.pipeline:
        if step['type'] == 'Resize':
            step['scale'] = (size, size)
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=iters, val_interval=iters + 1)
    for key in ('val_dataloader', 'val_evaluator', 'val_cfg', 'test_dataloader',
                'test_evaluator', 'test_cfg'):
        cfg[key] = None
    cfg.param_scheduler = [s for s in cfg.param_scheduler if s['type'] == 'LinearLR']  # warm-up
    if attention_lr_mult:
        cfg.optim_wrapper.paramwise_cfg = dict(
            custom_keys={'.attention.': dict(lr_mult=attention_lr_mult, decay_mult=0.0)})
    cfg.default_hooks.checkpoint = dict(type='AtomicCheckpointHook', interval=iters + 1,
                                        by_epoch=False, save_last=False)
    cfg.default_hooks.logger.update(interval=1)
    cfg.custom_imports.imports = list(cfg.custom_imports.imports) + [
        'experiments.evidence.attention_dynamics', 'experiments.evidence.bn_calibration']
    cfg.custom_hooks = list(cfg.get('custom_hooks', [])) + [
        dict(type='BNCalibrationHook'), dict(type='AttentionDynamicsHook', interval=1)]
    cfg.randomness = dict(seed=100, deterministic=False)
    cfg.work_dir = osp.abspath(out_dir)
    path = osp.join(out_dir, 'r101_config.py')
    cfg.dump(path)
    return path


def summary_table(rows, every=5):
    """Markdown: per stage and recorded iteration, the logit weights' gradient and update next to
    the conv weights' (absolute and relative to their RMS), and |A - 1|."""
    lines = ['| iter | stage | logit weight RMS | logit grad RMS | logit update RMS | '
             'conv weight RMS | conv grad RMS | conv update / RMS | logit update / conv update '
             '(relative) | abs(A-1) mean / p99 / max (%) |',
             '|---|---|---|---|---|---|---|---|---|---|']
    for row in rows:
        if row['iter'] != 1 and row['iter'] % every and row is not rows[-1]:
            continue
        for stage, s in sorted(row['stages'].items()):
            logit, weight, dev = s['logit'], s['weight'], s['abs_a_minus_1']
            relative = weight['update_rms'] / weight['rms']
            ratio = logit['update_rms'] / relative if relative else float('nan')
            dev_cell = ' / '.join(f'{100 * dev[k]:.4f}' for k in ('mean', 'p99', 'max')) \
                if dev else '–'
            lines.append(f"| {row['iter']} | {stage} | {logit['rms']:.2e} | "
                         f"{logit['grad_rms']:.2e} | {logit['update_rms']:.2e} | "
                         f"{weight['rms']:.2e} | {weight['grad_rms']:.2e} | {relative:.2e} | "
                         f'{ratio:.3f} | {dev_cell} |')
    return '\n'.join(lines) + '\n'


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', required=True, help='work dir of the run')
    parser.add_argument('--iters', type=int, default=20)
    parser.add_argument('--size', type=int, default=320, help='square input size')
    parser.add_argument('--batch-size', type=int, default=2)
    parser.add_argument('--attention-lr-mult', type=float, default=None,
                        help='lr multiplier (and no weight decay) for the attention parameters')
    parser.add_argument('--data-root', default=DEMO_DATA)
    args = parser.parse_args(argv)
    ann = osp.join(args.data_root, 'annotations', 'instances_train.json')
    if not osp.isfile(ann):
        raise SystemExit(f'error: --data-root {args.data_root}: {ann} not found (make it with '
                         'tools/make_demo_data.py)')
    os.makedirs(args.out, exist_ok=True)
    config = r101_config(args.out, args.iters, args.size, args.batch_size,
                         args.attention_lr_mult, args.data_root)
    start = time.time()
    with open(osp.join(args.out, 'train.log'), 'w') as log:
        subprocess.run([sys.executable, osp.join(ROOT, 'tools', 'train.py'), config, '--work-dir',
                        osp.abspath(args.out)], cwd=ROOT, stdout=log, stderr=log, check=True)
    seconds = time.time() - start
    table = summary_table(read_jsonl(osp.join(args.out, 'attention_dynamics.jsonl')))
    with open(osp.join(args.out, 'summary.md'), 'w') as f:
        f.write(f'R101 AW Faster R-CNN, {args.iters} iterations at {args.size} px, batch '
                f'{args.batch_size}, attention lr mult {args.attention_lr_mult or 1}; '
                f'{seconds:.0f} s\n\n{table}')
    print(table)


if __name__ == '__main__':
    main()
