"""Running statistics of |A - 1| over many attention tensors (one per AW conv and forward): exact
mean and max, and a p99 from a weighted subsample, so that no tensor dominates it.

Each tensor contributes at most ``SAMPLE`` uniformly drawn values, weighted by how many values each
stands for (numel / kept); the p99 is the weighted quantile of the pooled draws. An unweighted pool
cut to a fixed size would keep only the first large tensor (the first conv of a stage).
"""
import re

import torch

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
