"""Weights drawn by name, so variants share every common one (else heads keep different boxes
through NMS); AW's attention is not the identity, DCN offsets ~1 px (docs/benchmarks.md)."""
import math
import zlib

import torch

ATTENTION_STD = 0.05
OFFSET_STD = 1.0  # pixels


@torch.no_grad()
def init_by_name(model: torch.nn.Module):
    """Draw each parameter from a generator seeded by its name; return the attention count."""
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
