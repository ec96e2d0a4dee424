"""Normalising BN statistics for benchmark detectors, which have no pretrained checkpoint.

mmdet's detector configs keep the backbone's BN in eval mode (``norm_eval=True``). With the
running statistics of a fresh model (mean 0, variance 1) nothing is normalised: a ResNet-101's
features grow to ~1e3 by stage 3, AW's attention then saturates (logits in the hundreds), and
2 * sigmoid(logit) * W underflows to subnormal floats in about a third of the modulated weights.
oneDNN's convolutions run ~10x slower on subnormal weights (measured: one stage-3 AW conv, 294 ms
vs 26 ms per forward+backward), so such a benchmark times float underflow, not AW. A pretrained
backbone normalises; this measures the same kind of statistics on the benchmark's own batch.
"""
import torch
from torch.nn.modules.batchnorm import _BatchNorm


@torch.no_grad()
def calibrate_backbone_bn(model, batches):
    """Set every backbone BN's running statistics from ``batches`` (an iterable of batches in the
    data preprocessor's input format), one forward each, in train mode with a cumulative average;
    then restore each BN's mode and momentum. Returns the number of BN layers set.

    Used by the benchmark (one synthetic batch) and by ``BNCalibrationHook`` (training batches).
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
