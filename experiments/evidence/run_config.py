"""One training run's config: the demo config + variant + seed + schedule + data, written to a
file so the stock tools/train.py trains it and the file records exactly what ran."""
import os.path as osp
from dataclasses import dataclass

from mmengine.config import Config

from .variants import apply_variant


@dataclass
class Schedule:
    """Length of a run. The demo's LR schedule is rescaled to ``iters`` (warmup included)."""
    iters: int
    val_interval: int
    batch_size: int = None  # None: the demo config's
    log_interval: int = 10
    dynamics_interval: int = 0  # > 0: record the attention's learning dynamics every N iters


def _rescale_schedulers(cfg, iters):
    """Scale every scheduler's begin/end from the demo's length to ``iters``: same shape,
    shorter."""
    demo_iters = cfg.train_cfg.max_iters
    for sched in cfg.param_scheduler:
        for key in ('begin', 'end'):
            if key in sched:
                sched[key] = max(0, min(iters, round(sched[key] * iters / demo_iters)))
        if sched.get('end', 1) <= sched.get('begin', 0):
            sched['end'] = sched.get('begin', 0) + 1


def _set_data_root(cfg, root):
    root = root.rstrip('/') + '/'
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].dataset.data_root = root
    for evaluator in ('val_evaluator', 'test_evaluator'):
        cfg[evaluator].ann_file = root + 'annotations/instances_val.json'


def set_depth(cfg, depth):
    """Change the ResNet depth and the FPN inputs that follow from it."""
    cfg.model.backbone.depth = depth
    expansion = 1 if depth < 50 else 4
    cfg.model.neck.in_channels = [64 * expansion * 2 ** i for i in range(4)]


def run_config(demo_config, variant, seed, schedule, data_root, work_dir, depth=None,
               workers=None):
    """Build the config of one run and dump it to ``work_dir/run_config.py``; return its path."""
    cfg = Config.fromfile(demo_config)
    if depth is not None:
        set_depth(cfg, depth)
    apply_variant(cfg, variant)
    cfg.randomness = dict(seed=seed, deterministic=False)
    _rescale_schedulers(cfg, schedule.iters)
    cfg.train_cfg.max_iters = schedule.iters
    cfg.train_cfg.val_interval = schedule.val_interval
    cfg.train_cfg.pop('val_begin', None)
    if schedule.batch_size:
        cfg.train_dataloader.batch_size = schedule.batch_size
    if workers is not None:
        for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
            cfg[loader].num_workers = workers
            cfg[loader].persistent_workers = workers > 0
    _set_data_root(cfg, data_root)
    cfg.default_hooks.checkpoint.update(interval=schedule.iters, max_keep_ckpts=1,
                                        save_last=True)
    # record validation metrics against the iteration (mmengine's default is the epoch, 0 here)
    cfg.default_hooks.logger.update(interval=schedule.log_interval, log_metric_by_epoch=False)
    if schedule.dynamics_interval:
        cfg.custom_imports.imports = list(cfg.custom_imports.imports) + [
            'experiments.evidence.attention_dynamics']
        cfg.custom_hooks = list(cfg.get('custom_hooks', [])) + [
            dict(type='AttentionDynamicsHook', interval=schedule.dynamics_interval)]
    cfg.work_dir = work_dir
    path = osp.join(work_dir, 'run_config.py')
    cfg.dump(path)
    return path
