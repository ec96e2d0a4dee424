"""Give stock and AW detectors the same weights, so their timings differ by AW alone.

Built from one seed, the two detectors get different random weights everywhere after the first
AW conv (its attention layers consume random numbers). Random heads then keep different numbers of
proposals and boxes through NMS, and the timing compares different amounts of head work. Here each
parameter is drawn from a generator seeded by its *name*, so every parameter the two models share
is identical, and the attention gets a fixed, non-identity draw.

A deformable conv's offset/mask conv (the DCN peer) gets weight 0 and bias N(0, OFFSET_STD): fixed
offsets of about a pixel and masks around 0.5, i.e. the sampling work of a trained DCN. Not zero
(mmcv's init), which keeps every sample on the grid, and not drawn like a weight: the features of
a randomly initialized R101 reach hundreds, so N(0, 0.05) gave offsets up to ~200 pixels; after
one SGD step (lr 1e-5) on its huge gradients they reached ~1e5 and mmcv's CPU backward crashed
(segfault). The peer benchmark's training step therefore runs SGD at lr 0 (the same work, and the
weights, offsets included, stay as set here).
"""
import math
import zlib

import torch

ATTENTION_STD = 0.05
OFFSET_STD = 1.0  # pixels


@torch.no_grad()
def init_by_name(model: torch.nn.Module, seed: int = 0, attention_std: float = ATTENTION_STD):
    """Kaiming-normal for weights with a fan-in, 1 for norm scales, 0 for biases; N(0, std) for
    AW attention parameters; weight 0, bias N(0, OFFSET_STD) for deformable convs' offset/mask
    convs. Returns the number of attention tensors set."""
    attention = 0
    for name, param in model.named_parameters():
        gen = torch.Generator().manual_seed(zlib.crc32(name.encode()) ^ seed)
        if '.attention.' in name:
            value = torch.randn(param.shape, generator=gen) * attention_std
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
