"""Evaluate a checkpoint with mmengine's Runner and the config's evaluator (mmdet's tools/test.py
flags: --out, --show, --show-dir)."""
import argparse

from aw_mmdet import CheckpointError, DatasetContentError  # fills the registries, safe loading
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
    parser = argparse.ArgumentParser(description='Test (and evaluate) a detector')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--out', help='dump predictions to this pickle file (.pkl)')
    parser.add_argument('--show', action='store_true', help='show prediction results')
    parser.add_argument('--show-dir', help='directory (under work-dir) for painted images')
    parser.add_argument('--wait-time', type=float, default=2, help='interval of --show (s)')
    add_common_args(parser)
    args = parser.parse_args(argv)
    set_local_rank(args)
    if args.out is not None and not args.out.endswith(('.pkl', '.pickle')):
        parser.error(f'--out must be a .pkl file, got {args.out}')
    return args


def main(argv=None):
    from mmdet.engine.hooks.utils import trigger_visualization_hook
    from mmdet.evaluation import DumpDetResults

    tune_glibc_malloc()
    args = parse_args(argv)
    cfg = load_config(args)
    cfg.load_from = args.checkpoint
    if args.show or args.show_dir:
        cfg = trigger_visualization_hook(cfg, args)
    try:
        check_dataset_files(cfg, loaders=('test_dataloader',))
    except DatasetFilesError as err:
        raise SystemExit(f'error: {err}')
    enable_input_checks(cfg, loaders=('test_dataloader',))
    try:
        runner = build_runner(cfg)
        if args.out is not None:
            runner.test_evaluator.metrics.append(DumpDetResults(out_file_path=args.out))
        runner.test()
    except (CheckpointError, DatasetContentError) as err:  # bad input: one clear line, no trace
        raise SystemExit(f'error: {err}')


if __name__ == '__main__':
    main()
