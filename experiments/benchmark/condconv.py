"""CondConv (Yang et al., NeurIPS 2019), timm's algorithm (timm needs a torchvision we lack)."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

EXPERTS = 4


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
                 num_experts=EXPERTS):
        super().__init__()
        self.stride, self.padding = stride, padding
        shape = (out_channels, in_channels, kernel_size, kernel_size)
        self.weight = nn.Parameter(torch.empty(num_experts, math.prod(shape)))
        self.bias = nn.Parameter(torch.zeros(num_experts, out_channels)) if bias else None
        self.kernel_shape = shape
        for expert in self.weight.data.view(num_experts, *shape):
            nn.init.kaiming_uniform_(expert, a=math.sqrt(5))

    def forward(self, x, routing_weights):
        n, c, h, w = x.shape
        weights = (routing_weights @ self.weight).view(n * self.kernel_shape[0],
                                                       *self.kernel_shape[1:])
        bias = None if self.bias is None else (routing_weights @ self.bias).flatten()
        out = F.conv2d(x.reshape(1, n * c, h, w), weights, bias, self.stride, self.padding,
                       groups=n)
        return out.view(n, self.kernel_shape[0], *out.shape[-2:])


class RoutedCondConv(nn.Module):
    """CondConv2d with timm's ``CondConvResidual`` routing: per-expert sigmoid of the pooled input.

    Args:
        channels (int): Input and output channels of the 3x3 conv.
        stride (int): Its stride.
        num_experts (int): Defaults to 4.
    """

    def __init__(self, channels, stride, num_experts=EXPERTS):
        super().__init__()
        self.routing_fn = nn.Linear(channels, num_experts)
        self.cond_conv = CondConv2d(channels, channels, 3, stride=stride, padding=1, bias=False,
                                    num_experts=num_experts)

    def forward(self, x):
        routing_weights = torch.sigmoid(self.routing_fn(F.adaptive_avg_pool2d(x, 1).flatten(1)))
        return self.cond_conv(x, routing_weights)
