"""Test-only: writes a checksum of the model's parameters per rank, to prove replicas stay in sync.
Loaded by a config's ``custom_imports`` (``imports=['aw_mmdet', 'param_checksum_hook']``) with
tests/ on PYTHONPATH; see tests/test_distributed.py and docs/usage.md."""
import json
import os.path as osp

import torch
from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.registry import HOOKS

from aw_mmdet.ops import AWConv2d


def parameter_checksums(model):
    """{'aw': sum of |AW attention params| (float64), 'all': same over every parameter}."""
    if is_model_wrapper(model):
        model = model.module
    aw_params = [p for m in model.modules() if isinstance(m, AWConv2d)
                 for p in m.attention.parameters()]
    with torch.no_grad():
        aw = sum(p.double().abs().sum().item() for p in aw_params)
        everything = sum(p.double().abs().sum().item() for p in model.parameters())
    return dict(aw=aw, all=everything, num_aw_tensors=len(aw_params))


@HOOKS.register_module()
class ParamChecksumHook(Hook):
    """After training, each rank writes ``<work_dir>/param_checksum_rank<R>.json`` and logs it."""

    def after_train(self, runner):
        sums = dict(parameter_checksums(runner.model), rank=get_rank(), iter=runner.iter)
        with open(osp.join(runner.work_dir, f'param_checksum_rank{sums["rank"]}.json'), 'w') as f:
            json.dump(sums, f)
        runner.logger.info(f'parameter checksum: {sums}')
