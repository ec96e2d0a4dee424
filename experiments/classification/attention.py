"""How far a trained classifier's AW attention moved from its identity start (A == 1), per stage.

A depends on each conv's input, so it is measured on a fixed batch of test images:
``aw_mmdet.ops.recording_attention`` recomputes A = ``conv.attention(x)`` (N, D, C/g, kh, kw) from
the input every AW conv receives (the conv fuses A into its weights and never materialises it),
and the |A - 1| values of all AW convs of a stage are pooled into their mean, 99th percentile and
max.
"""
import re
from collections import defaultdict

import torch

from aw_mmdet.ops import aw_convs, recording_attention

_STAGE = re.compile(r'(?:^|\.)layer(\d+)\.')


def stage_of(name):
    """Stage number (1-based) of a backbone module from its ``layer<i>`` name, 0 if none."""
    match = _STAGE.search(name)
    return int(match.group(1)) if match else 0


@torch.no_grad()
def attention_deviation(model, inputs):
    """{'stage<i>': {'mean', 'p99', 'max', 'num_convs', 'numel'}} of |A - 1|, or None without AW.

    Args:
        model (nn.Module): the classifier (eval mode is set here and restored after).
        inputs (Tensor): a preprocessed batch (N, 3, H, W) the model's forward accepts.
    """
    convs = aw_convs(model)
    if not convs:
        return None
    devs = defaultdict(list)

    def record(name, attention):
        devs[stage_of(name)].append((attention.float() - 1).abs().flatten())

    was_training = model.training
    model.eval()
    try:
        with recording_attention(model, record):
            model(inputs, mode='tensor')
    finally:
        model.train(was_training)
    out = {}
    for stage in sorted(devs):
        values = torch.cat(devs[stage])
        k = max(1, int(round(0.99 * values.numel())))
        out[f'stage{stage}'] = dict(mean=float(values.mean()),
                                    p99=float(values.kthvalue(k).values),
                                    max=float(values.max()),
                                    num_convs=sum(stage_of(n) == stage for n in convs),
                                    numel=values.numel())
    return out
