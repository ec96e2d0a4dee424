"""A CondConv (Yang et al., NeurIPS 2019) for the peer benchmark when timm cannot be imported.

timm's CondConv2d needs torchvision, which has no CPU build for this torch (docs/benchmarks.md), so
this is the same algorithm written from the paper and timm's description: ``num_experts`` kernels,
mixed per sample by routing weights, then one grouped conv over the batch folded into the channels
(timm's way: no path choice, unlike AW's per-sample conv).
"""
import math

import torch
import torch.nn as nn

from aw_mmdet.ops.functional import grouped_conv


class CondConv2d(nn.Module):
    """Per-sample kernel sum_e r[n, e] * W_e; ``forward(x, routing_weights)`` as timm's.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        kernel_size (int): Square kernel size.
        stride (int): Stride. Defaults to 1.
        padding (int): Zero padding. Defaults to 0.
        bias (bool): Whether a (per-expert) bias is mixed in too. Defaults to False.
        num_experts (int): Number of expert kernels. Defaults to 4.
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=False,
                 num_experts=4):
        super().__init__()
        self.stride, self.padding = (stride, stride), (padding, padding)
        shape = (out_channels, in_channels, kernel_size, kernel_size)
        self.weight = nn.Parameter(torch.empty(num_experts, math.prod(shape)))
        self.bias = nn.Parameter(torch.zeros(num_experts, out_channels)) if bias else None
        self.kernel_shape = shape
        for expert in self.weight.data.view(num_experts, *shape):
            nn.init.kaiming_uniform_(expert, a=math.sqrt(5))

    def forward(self, x, routing_weights):
        n = x.shape[0]
        weights = (routing_weights @ self.weight).view(n, *self.kernel_shape)
        out = grouped_conv(x, weights, None, self.stride, self.padding, (1, 1), 1)
        if self.bias is not None:
            out = out + (routing_weights @ self.bias).view(n, -1, 1, 1)
        return out
