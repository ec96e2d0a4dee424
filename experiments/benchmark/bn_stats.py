"""Backbone BN statistics from the benchmark's batch (no checkpoint): with a fresh model's, AW's
weights underflow to subnormals and the benchmark times underflow, not AW (docs/benchmarks.md)."""
import torch
from torch.nn.modules.batchnorm import _BatchNorm


@torch.no_grad()
def calibrate_backbone_bn(model, batches):
    """Set each backbone BN's running stats from ``batches``; return the number of BNs set."""
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
