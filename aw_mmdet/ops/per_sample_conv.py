"""Convolution with a different weight for every sample, without a Python loop over the batch.

Two exact paths, picked by shape (see docs/benchmarks.md for the measurements behind the rule):
- ``grouped``: fold the batch into the channel axis and the groups, one grouped conv
  (groups = N * g). Best when the output map is large: it never materialises im2col columns.
- ``matmul``: im2col (``F.unfold``) and one batched matmul. Best when the output map is small
  (late ResNet stages, small images): there oneDNN's grouped-conv backward is several times slower
  than the plain conv's, while the columns are cheap.
"""
import warnings

import torch
import torch.nn.functional as F

#: Use the matmul path when the output map has at most this many positions (Ho * Wo). Measured
#: (2 threads, malloc tuned, AW conv fwd+bwd over the plain conv's; 3x3, 128-512 channels, batch
#: 2-16): 25-64 positions: matmul 4.4-5.5x, grouped 4.7-5.9x; 100-256: grouped 1.8-2.7x, matmul
#: 1.9-3.0x (144: a tie); 400 and more: grouped 1.1-1.6x, matmul 1.5-3.4x.
MATMUL_MAX_POSITIONS = 64


def _output_size(size, kernel, stride, padding, dilation):
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def choose_path(x, weight, stride, padding, dilation):
    """'matmul' for small output maps, 'grouped' otherwise. ``padding`` is a pair of ints.

    Under ``torch.jit.trace`` (and so ONNX export) always 'matmul': the grouped path's group count
    N * g would be frozen into the graph as a constant, the matmul path keeps the batch dynamic.
    """
    if torch.jit.is_tracing():
        return 'matmul'
    kh, kw = weight.shape[-2:]
    ho = _output_size(x.shape[-2], kh, stride[0], padding[0], dilation[0])
    wo = _output_size(x.shape[-1], kw, stride[1], padding[1], dilation[1])
    return 'matmul' if ho * wo <= MATMUL_MAX_POSITIONS else 'grouped'


def grouped_conv(x, modulated, bias, stride, padding, dilation, groups):
    n, c, h, w = x.shape
    d = modulated.shape[1]
    folded_bias = None if bias is None else bias.repeat(n)
    out = F.conv2d(x.reshape(1, n * c, h, w), modulated.reshape(n * d, *modulated.shape[2:]),
                   folded_bias, stride, padding, dilation, groups * n)
    return out.view(n, d, out.shape[-2], out.shape[-1])


def _static_kernel_size(modulated):
    """(Kh, Kw) as ints. Under ``torch.jit.trace`` shapes are traced tensors, but ONNX's Im2Col
    takes the kernel size only as constants; it is fixed for a conv, so freezing it is exact."""
    kh, kw = modulated.shape[-2:]
    if not torch.jit.is_tracing():
        return kh, kw
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', torch.jit.TracerWarning)
        return int(kh), int(kw)


def matmul_conv(x, modulated, bias, stride, padding, dilation, groups):
    n, c, h, w = x.shape
    d, cg = modulated.shape[1:3]
    kh, kw = _static_kernel_size(modulated)
    ho = _output_size(h, kh, stride[0], padding[0], dilation[0])
    wo = _output_size(w, kw, stride[1], padding[1], dilation[1])
    cols = F.unfold(x, (kh, kw), dilation=dilation, padding=padding, stride=stride)
    cols = cols.view(n, groups, cg * kh * kw, ho * wo)
    weight = modulated.reshape(n, groups, d // groups, cg * kh * kw)
    out = torch.matmul(weight, cols).view(n, d, ho, wo)
    if bias is not None:  # in the matmul's dtype, so autocast (bf16) output stays bf16
        out = out + bias.to(out.dtype).view(1, d, 1, 1)
    return out


def conv2d_per_sample_weights(x, weights, bias, stride, padding, dilation, groups, path=None):
    """y[n] = conv2d(x[n], weights[n], bias, ...); weights: (N, D, C/g, Kh, Kw).

    ``path`` forces 'grouped' or 'matmul'; by default it is chosen by ``choose_path``.
    """
    if not torch.jit.is_tracing() and x.shape[0] == 1:  # a traced graph must not bake in N == 1
        return F.conv2d(x, weights[0], bias, stride, padding, dilation, groups)
    channels_last = x.is_contiguous(memory_format=torch.channels_last) and not x.is_contiguous()
    path = path or choose_path(x, weights[0], stride, padding, dilation)
    conv = matmul_conv if path == 'matmul' else grouped_conv
    out = conv(x, weights, bias, stride, padding, dilation, groups)
    if channels_last:
        out = out.contiguous(memory_format=torch.channels_last)
    return out

