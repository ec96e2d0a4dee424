"""Convolution with a different weight for every sample, without a Python loop over the batch."""
import torch
import torch.nn.functional as F


def per_sample_conv2d(x, weight, attention, bias, stride, padding, dilation, groups):
    """y[n] = conv2d(x[n], weight * attention[n], bias, ...).

    x: (N, C, H, W); weight: (D, C/g, Kh, Kw); attention: (N, D, C/g, Kh, Kw).
    The batch is folded into the channel axis and the groups (one group set per sample), so a single
    grouped conv computes every sample with its own weight.
    """
    n, c, h, w = x.shape
    d = weight.shape[0]
    modulated = weight.unsqueeze(0) * attention
    if n == 1:
        return F.conv2d(x, modulated[0], bias, stride, padding, dilation, groups)
    channels_last = x.is_contiguous(memory_format=torch.channels_last) and not x.is_contiguous()
    folded_bias = None if bias is None else bias.repeat(n)
    out = F.conv2d(x.reshape(1, n * c, h, w), modulated.reshape(n * d, *weight.shape[1:]),
                   folded_bias, stride, padding, dilation, groups * n)
    out = out.view(n, d, out.shape[-2], out.shape[-1])
    if channels_last:
        out = out.contiguous(memory_format=torch.channels_last)
    return out
