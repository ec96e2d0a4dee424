"""How far AW's attention has moved from its identity start (A == 1): |A - 1| per ResNet stage,
measured on real inputs (A depends on each conv's input)."""
import re

import torch

from aw_mmdet.ops import aw_convs, recording_attention


def stage_of(name: str) -> str:
    """'layer3' for 'backbone.layer3.4.conv2' (the ResNet stage), else the module's parent."""
    match = re.search(r'(layer\d+)', name)
    return match.group(1) if match else name.rsplit('.', 1)[0]


class AbsDevStats:
    """mean and max of |A - 1| over every tensor given to :meth:`add`."""

    def __init__(self):
        self.total, self.count, self.max = 0.0, 0, 0.0

    def add(self, attention: torch.Tensor):
        dev = (attention.detach().float() - 1).abs()
        self.total += float(dev.sum())
        self.count += dev.numel()
        self.max = max(self.max, float(dev.max()))

    def summary(self):
        return dict(mean=self.total / self.count, max=self.max)


@torch.no_grad()
def attention_summary(model, batches):
    """{'stages': {stage: {'mean', 'max'}}, 'mean_abs_dev', 'max_abs_dev', 'num_aw_convs',
    'num_images'} of |A - 1| in eval mode, or None for a model without AW convs.

    Args:
        model (mmengine.model.BaseModel): the trained model.
        batches (Iterable[dict]): collated batches for ``model.test_step`` (one image each gives
            every tensor the same weight whatever the batch size).
    """
    convs = aw_convs(model)
    if not convs:
        return None
    stages, images = {}, 0

    def record(name, attention):
        stages.setdefault(stage_of(name), AbsDevStats()).add(attention)

    model.eval()
    with recording_attention(model, record):
        for batch in batches:
            model.test_step(batch)
            images += len(batch['inputs'])
    return dict(mean_abs_dev=sum(s.total for s in stages.values())
                / sum(s.count for s in stages.values()),
                max_abs_dev=max(s.max for s in stages.values()),
                stages={k: v.summary() for k, v in sorted(stages.items())},
                num_aw_convs=len(convs), num_images=images)
