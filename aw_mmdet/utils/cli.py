"""Config handling shared by tools/train.py and tools/test.py, with mmdet's tool flags."""
import argparse
import copy
import os
import os.path as osp

from mmengine.config import Config, DictAction


def add_common_args(parser: argparse.ArgumentParser):
    parser.add_argument('--work-dir', help='directory for logs and checkpoints')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, key=value (mmengine DictAction syntax)')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none',
                        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def set_local_rank(args):
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)


def load_config(args) -> Config:
    """Config file + --cfg-options + --launcher + --work-dir (CLI > file > work_dirs/<name>)."""
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])
    return cfg


def init_cpu_distributed(cfg):
    """Start torch.distributed for ``--launcher pytorch`` when torch has no CUDA.

    mmengine's pytorch launcher calls ``torch.cuda.set_device`` before ``init_process_group``,
    which a CPU build of torch cannot do; the Runner skips its own init when a process group
    already exists, so we start it here with the config's backend (gloo on CPU).
    """
    import torch
    import torch.distributed as dist
    if (cfg.get('launcher', 'none') != 'pytorch' or torch.cuda.is_available()
            or dist.is_initialized()):
        return
    dist_cfg = dict(cfg.get('env_cfg', {}).get('dist_cfg', {}))
    backend = dist_cfg.pop('backend', 'gloo')
    if backend != 'gloo':
        raise SystemExit(f'error: env_cfg.dist_cfg.backend={backend!r} needs GPUs; this machine '
                         'has none (use --cfg-options env_cfg.dist_cfg.backend=gloo on CPU)')
    dist.init_process_group(backend='gloo')


class _FormattedOnceConfig(Config):
    """A Config that formats its text once per content.

    mmengine's Runner reads ``pretty_text`` four times at start-up and again at every checkpoint
    save, and each read runs yapf over the whole config (as long as a small model's training
    step); the text is a function of the config's values, so it is kept until they change.
    """

    @property
    def pretty_text(self):
        key = repr(self.to_dict())
        cached = self.__dict__.get('_formatted')
        if cached is None or cached[0] != key:
            cached = (key, super().pretty_text)
            object.__setattr__(self, '_formatted', cached)  # Config.__setattr__ sets a key
        return cached[1]


def build_runner(cfg):
    """The config's Runner (``runner_type`` or mmengine's), after CPU distributed init."""
    from mmengine.registry import RUNNERS
    from mmengine.runner import Runner
    init_cpu_distributed(cfg)
    cfg = copy.copy(cfg)  # the same state as a _FormattedOnceConfig (the Runner's copy keeps it)
    object.__setattr__(cfg, '__class__', _FormattedOnceConfig)  # Config.__setattr__ sets a key
    return RUNNERS.build(cfg) if 'runner_type' in cfg else Runner.from_cfg(cfg)
