"""Independent reference for AW-convolution: explicit formulas and a per-sample F.conv2d loop.

Written from the specification (docs/aw_conv.md), not from aw_mmdet's code, so tests comparing
against it can fail when the implementation is wrong.
"""
import torch
import torch.nn.functional as F


def _pointwise(layer, t):
    """1x1 conv written as an einsum over channels."""
    w = layer.weight[:, :, 0, 0]
    return torch.einsum('oc,nchw->nohw', w, t) + layer.bias.view(1, -1, 1, 1)


def reference_attention(conv, x):
    """A[n, d, c, i, j] computed straight from the formulas of the spec."""
    kh, kw = conv.kernel_size
    att = conv.attention
    pooled = F.adaptive_avg_pool2d(x, (kh, kw))
    hidden = torch.clamp(_pointwise(att.hidden, pooled), min=0)
    n = x.shape[0]
    d, cg = conv.weight.shape[:2]
    if conv.attention_mode == 'factorized':
        a_out = _pointwise(att.out_logits, hidden)
        a_in = _pointwise(att.in_logits, hidden)
        a = torch.empty(n, d, cg, kh, kw, dtype=x.dtype)
        for dd in range(d):  # every input channel cc at once: a_in[:, cc] + a_out[:, dd]
            a[:, dd] = 2 * torch.sigmoid(a_out[:, dd].unsqueeze(1) + a_in)
        return a
    return 2 * torch.sigmoid(_pointwise(att.logits, hidden).reshape(n, d, cg, kh, kw))


def reference_aw_conv(conv, x, weight=None, bias=None):
    """y[n] = conv2d(pad(x[n]), W * A[n], bias, ...) as a Python loop over the batch.

    ``weight``/``bias`` default to the conv's own; A comes from the unpadded x; padding follows
    ``conv.padding_mode`` as nn.Conv2d does. An empty batch gives the plain conv's empty output.
    """
    weight = conv.weight if weight is None else weight
    bias = conv.bias if bias is None else bias
    padding = conv.padding
    if conv.padding_mode != 'zeros':
        pad = [p for p in reversed(conv.padding) for _ in range(2)]
        padded = F.pad(x, pad, mode=conv.padding_mode)
        padding = 0
    else:
        padded = x
    if x.shape[0] == 0:
        return F.conv2d(padded, weight, bias, conv.stride, padding, conv.dilation, conv.groups)
    a = reference_attention(conv, x)
    outs = [F.conv2d(padded[i:i + 1], weight * a[i], bias, conv.stride, padding,
                     conv.dilation, conv.groups) for i in range(x.shape[0])]
    return torch.cat(outs)


def randomise_attention(conv, generator=None, scale=0.5):
    """Move the zero-initialised logit layers off zero so the attention is not identity."""
    with torch.no_grad():
        for p in conv.attention.parameters():
            p.copy_(torch.randn(p.shape, generator=generator, dtype=p.dtype) * scale)
