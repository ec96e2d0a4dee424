"""Normalising BN statistics for benchmark detectors, which have no pretrained checkpoint.

mmdet's detector configs keep the backbone's BN in eval mode (``norm_eval=True``); with a fresh
model's running statistics nothing is normalised, the features explode, AW's attention saturates
and its modulated weights underflow to subnormal floats, on which oneDNN is far slower: the
benchmark would time underflow, not AW (docs/benchmarks.md). A pretrained backbone normalises;
this measures the same kind of statistics on the benchmark's own batch.
"""
import torch
from torch.nn.modules.batchnorm import _BatchNorm


@torch.no_grad()
def calibrate_backbone_bn(model, batches):
    """Set every backbone BN's running statistics from ``batches``; return the number of BNs set.

    One forward per batch (data preprocessor's input format), in train mode with a cumulative
    average; each BN's mode and momentum are restored.
    """
    norms = [m for m in model.backbone.modules() if isinstance(m, _BatchNorm)]
    saved = [(m.training, m.momentum) for m in norms]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None
        m.train()
    for data in batches:
        model.backbone(model.data_preprocessor(data, True)['inputs'])
    for m, (training, momentum) in zip(norms, saved):
        m.momentum = momentum
        m.train(training)
    return len(norms)
