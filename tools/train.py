"""Train a detector with mmengine's Runner (mmdet's tools/train.py flags); aw_mmdet is imported so
AW models build even from configs without custom_imports."""
import argparse

from aw_mmdet import CheckpointError, DatasetContentError  # fills the registries, safe loading
from aw_mmdet.engine import NonFiniteLossError
from aw_mmdet.utils import (
    DatasetFilesError,
    add_common_args,
    build_runner,
    check_dataset_files,
    enable_input_checks,
    load_config,
    set_local_rank,
    tune_glibc_malloc,
)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Train a detector')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--amp', action='store_true', help='automatic mixed precision training')
    parser.add_argument('--auto-scale-lr', action='store_true', help='scale LR by batch size')
    parser.add_argument('--resume', nargs='?', type=str, const='auto',
                        help='resume from this checkpoint, or (no value) the latest in work-dir')
    add_common_args(parser)
    args = parser.parse_args(argv)
    set_local_rank(args)
    return args


def configure(args):
    cfg = load_config(args)
    if args.amp:
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.loss_scale = 'dynamic'
    if args.auto_scale_lr:
        if 'base_batch_size' not in cfg.get('auto_scale_lr', {}):
            raise SystemExit('--auto-scale-lr: the config has no auto_scale_lr.base_batch_size')
        cfg.auto_scale_lr.enable = True
    if args.resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif args.resume is not None:
        cfg.resume, cfg.load_from = True, args.resume
    return cfg


def main(argv=None):
    tune_glibc_malloc()
    args = parse_args(argv)
    cfg = configure(args)
    try:
        check_dataset_files(cfg, loaders=('train_dataloader', 'val_dataloader'))
    except DatasetFilesError as err:
        raise SystemExit(f'error: {err}')
    enable_input_checks(cfg, loaders=('train_dataloader', 'val_dataloader'))
    try:
        build_runner(cfg).train()
    except (CheckpointError, DatasetContentError, NonFiniteLossError) as err:
        raise SystemExit(f'error: {err}')  # bad input or a NaN loss: one clear line, no trace


if __name__ == '__main__':
    main()
