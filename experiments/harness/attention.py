"""How far AW's attention has moved from its identity start (A == 1): |A - 1| per ResNet stage.

A depends on each conv's input, so it is measured on real inputs. Each attention tensor adds its
exact sum and max, and at most ``SAMPLE`` uniformly drawn values weighted by how many values each
stands for (numel / kept); the p99 is the weighted quantile of the pooled draws, so no tensor
dominates it (an unweighted pool cut to a fixed size would keep only a stage's first conv).
"""
import re

import torch

from aw_mmdet.ops import aw_convs, recording_attention

#: values of |A - 1| kept per tensor for the p99
SAMPLE = 200_000


def stage_of(name: str) -> str:
    """'layer3' for 'backbone.layer3.4.conv2' (the ResNet stage), else the module's parent."""
    match = re.search(r'(layer\d+)', name)
    return match.group(1) if match else name.rsplit('.', 1)[0]


def weighted_quantile(values: torch.Tensor, weights: torch.Tensor, q: float) -> float:
    """The smallest value whose cumulative weight reaches ``q`` of the total."""
    order = torch.argsort(values)
    cumulative = torch.cumsum(weights[order].double(), 0)
    index = int(torch.searchsorted(cumulative, q * cumulative[-1]))
    return float(values[order][min(index, values.numel() - 1)])


class AbsDevStats:
    """mean / p99 / max of |A - 1| over every tensor given to :meth:`add`.

    Args:
        generator (torch.Generator, optional): for the subsample (reproducible p99).
    """

    def __init__(self, generator=None):
        self.total, self.count, self.max = 0.0, 0, 0.0
        self.samples, self.weights = [], []
        self.generator = generator

    def add(self, attention: torch.Tensor):
        dev = (attention.detach().float() - 1).abs().flatten()
        self.total += float(dev.sum())
        self.count += dev.numel()
        self.max = max(self.max, float(dev.max()))
        numel, keep = dev.numel(), min(dev.numel(), SAMPLE)
        if keep < numel:
            dev = dev[torch.randint(numel, (keep,), generator=self.generator)]
        self.samples.append(dev)
        self.weights.append(torch.full((keep,), numel / keep))

    def summary(self):
        return dict(mean=self.total / self.count, max=self.max,
                    p99=weighted_quantile(torch.cat(self.samples), torch.cat(self.weights), 0.99))


@torch.no_grad()
def attention_summary(model, batches):
    """{'stages': {stage: {'mean', 'p99', 'max'}}, 'mean_abs_dev', 'max_abs_dev', 'num_aw_convs',
    'num_images'} of |A - 1| in eval mode, or None for a model without AW convs.

    Args:
        model (mmengine.model.BaseModel): the trained model.
        batches (Iterable[dict]): collated batches for ``model.test_step`` (one image each gives
            every tensor the same weight whatever the batch size).
    """
    convs = aw_convs(model)
    if not convs:
        return None
    stages, generator, images = {}, torch.Generator().manual_seed(0), 0

    def record(name, attention):
        stages.setdefault(stage_of(name), AbsDevStats(generator)).add(attention)

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
