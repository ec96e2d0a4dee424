"""Give stock and AW detectors the same weights, so their timings differ by AW alone.

Built from one seed, the two detectors get different random weights everywhere after the first
AW conv (its attention layers consume random numbers). Random heads then keep different numbers of
proposals and boxes through NMS, and the timing compares different amounts of head work. Here each
parameter is drawn from a generator seeded by its *name*, so every parameter the two models share
is identical, and the attention gets a fixed, non-identity draw.
"""
import math
import zlib

import torch

ATTENTION_STD = 0.05


@torch.no_grad()
def init_by_name(model: torch.nn.Module, seed: int = 0, attention_std: float = ATTENTION_STD):
    """Kaiming-normal for weights with a fan-in, 1 for norm scales, 0 for biases; N(0, std) for
    AW attention parameters. Returns the number of attention tensors set."""
    attention = 0
    for name, param in model.named_parameters():
        gen = torch.Generator().manual_seed(zlib.crc32(name.encode()) ^ seed)
        if '.attention.' in name:
            value = torch.randn(param.shape, generator=gen) * attention_std
            attention += 1
        elif param.dim() > 1:
            fan_in = param[0].numel()
            value = torch.randn(param.shape, generator=gen) * math.sqrt(2.0 / fan_in)
        elif name.endswith('weight'):
            value = torch.ones(param.shape)
        else:
            value = torch.zeros(param.shape)
        param.copy_(value.to(param.dtype))
    return attention
