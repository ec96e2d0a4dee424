"""What tools/train.py and tools/test.py switch on so bad input fails with a clear error:
content-checked COCO datasets and the checkpoint fit check (see docs/reliability.md)."""
from .dataset_check import _leaf_datasets

CHECKED_DATASET_TYPES = {'CocoDataset': 'CheckedCocoDataset'}
FIT_HOOK = 'CheckpointFitHook'


def use_checked_datasets(cfg, loaders=('train_dataloader', 'val_dataloader', 'test_dataloader')):
    """Swap stock dataset types for their checked subclasses (same arguments, same data)."""
    for loader in loaders:
        if cfg.get(loader) is None:
            continue
        for ds, _ in _leaf_datasets(cfg[loader].get('dataset'), loader):
            kind = ds.get('type')
            if isinstance(kind, str) and kind.split('.')[-1] in CHECKED_DATASET_TYPES:
                ds['type'] = CHECKED_DATASET_TYPES[kind.split('.')[-1]]


def add_checkpoint_fit_hook(cfg):
    """Append CheckpointFitHook to custom_hooks unless the config already has one."""
    hooks = list(cfg.get('custom_hooks') or [])
    if not any(isinstance(h, dict) and h.get('type') == FIT_HOOK for h in hooks):
        hooks.append(dict(type=FIT_HOOK))
    cfg.custom_hooks = hooks


def enable_input_checks(cfg, loaders):
    use_checked_datasets(cfg, loaders)
    add_checkpoint_fit_hook(cfg)
