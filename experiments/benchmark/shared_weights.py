"""Give the variants of a benchmark case the same weights, so their timings differ by the variant
alone: each parameter is drawn from a generator seeded by its name, so every parameter two
variants share is identical whatever else either builds (random heads would otherwise keep
different numbers of boxes through NMS), and AW's attention gets a fixed, non-identity draw.

A deformable conv's offset/mask conv gets weight 0 and bias N(0, OFFSET_STD): offsets of about a
pixel and masks near 0.5, the sampling work of a trained DCN, where mmcv's zero init samples on
the grid and a weight-like draw sends offsets far off the map (docs/benchmarks.md).
"""
import math
import zlib

import torch

ATTENTION_STD = 0.05
OFFSET_STD = 1.0  # pixels


@torch.no_grad()
def init_by_name(model: torch.nn.Module):
    """Kaiming-normal for weights with a fan-in, 1 for norm scales, 0 for biases; N(0,
    ATTENTION_STD) for AW attention parameters; weight 0, bias N(0, OFFSET_STD) for deformable
    convs' offset/mask convs. Returns the number of attention tensors set."""
    attention = 0
    for name, param in model.named_parameters():
        gen = torch.Generator().manual_seed(zlib.crc32(name.encode()))
        if '.attention.' in name:
            value = torch.randn(param.shape, generator=gen) * ATTENTION_STD
            attention += 1
        elif '.conv_offset.' in name:
            value = (torch.zeros(param.shape) if name.endswith('weight')
                     else torch.randn(param.shape, generator=gen) * OFFSET_STD)
        elif param.dim() > 1:
            fan_in = param[0].numel()
            value = torch.randn(param.shape, generator=gen) * math.sqrt(2.0 / fan_in)
        elif name.endswith('weight'):
            value = torch.ones(param.shape)
        else:
            value = torch.zeros(param.shape)
        param.copy_(value.to(param.dtype))
    return attention
