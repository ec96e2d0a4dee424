"""AW-convolution's functional core: the formula, the per-sample weights ``A_n * W`` as one
autograd node, and the convolution of every sample with its own weight.

    A_n = 2 sigmoid(a_out[n, :, None] + a_in[n, None])   (factorized logits)
    A_n = 2 sigmoid(logits[n])                           (dense logits)
    y_n = conv2d(x_n, A_n * W, bias, ...)

``attention_map`` is the one place the formula is written; every path uses it or is tested
against it: traced graphs (plain autograd, exportable), the PyTorch modulation node and the fused
CPU kernel (``csrc/modulation.cpp``).
"""
import warnings

import torch
import torch.nn.functional as F

from .fused_kernel import kernel

#: glibc serves allocations from 32 MB up with fresh mmap pages, which fault on every touch; on
#: CPU a batch is split so each chunk's per-sample weights stay below this.
MMAP_BYTES = 32 * 1024 * 1024
#: elements per output-channel block of the PyTorch modulation path on CPU (4 MB of float32)
BLOCK_ELEMENTS = 1024 * 1024
#: output maps of at most this many positions take the im2col + matmul path, larger ones the
#: grouped conv (docs/benchmarks.md, "Where AW's extra work goes")
MATMUL_MAX_POSITIONS = 49


def attention_map(logits, out=None):
    """A (N, D, C/g, Kh, Kw) = 2 sigmoid(z), z the broadcast sum of ``logits``.

    Args:
        logits (tuple[Tensor]): ``(a_out (N, D, Kh, Kw), a_in (N, C/g, Kh, Kw))`` (factorized)
            or ``(logits (N, D, C/g, Kh, Kw),)`` (dense).
        out (Tensor, optional): Written in place and returned (no autograd). Defaults to None.
    """
    if out is None:
        z = logits[0].unsqueeze(2) + logits[1].unsqueeze(1) if len(logits) == 2 else logits[0]
        return 2 * torch.sigmoid(z)
    if len(logits) == 2:
        torch.add(logits[0].unsqueeze(2), logits[1].unsqueeze(1), out=out)
    else:
        out.copy_(logits[0])
    return out.sigmoid_().mul_(2)


def _fused_kernel_for(*tensors):
    """The fused kernel if it applies to these tensors (CPU, one float32/float64 dtype; not
    autocast's mixed dtypes), else None."""
    first = tensors[0]
    if (first.device.type != 'cpu' or first.dtype not in (torch.float32, torch.float64)
            or any(t.dtype != first.dtype for t in tensors)):
        return None
    return kernel()


def _blocks(n, weight, device):
    """Output-channel slices of the PyTorch path: blocks of ~BLOCK_ELEMENTS on CPU, one
    elsewhere (CUDA's allocator and bandwidth make blocking pointless)."""
    if device.type != 'cpu':
        return [slice(None)]
    step = max(1, BLOCK_ELEMENTS // (n * weight[0].numel()))
    return [slice(s, s + step) for s in range(0, weight.shape[0], step)]


def _block_of(logits, block):
    """The logits of output channels ``block`` (a_in is shared by every output channel)."""
    return (logits[0][:, block],) + tuple(logits[1:])


def _torch_forward(weight, logits):
    if any(t.dtype != weight.dtype for t in logits):  # autocast: let type promotion decide
        return weight * attention_map(logits)
    n = logits[0].shape[0]
    out = weight.new_empty((n,) + weight.shape)
    for block in _blocks(n, weight, weight.device):
        attention_map(_block_of(logits, block), out=out[:, block]).mul_(weight[block])
    return out


def _torch_backward(grad, weight, logits, need_weight, need_logits):
    """dW = sum_n g A; dz = g W dA/dz = g W A (1 - A/2), block by block (A recomputed)."""
    grad_weight = torch.empty_like(weight) if need_weight else None
    out_grads, in_grad = [], 0
    for block in _blocks(grad.shape[0], weight, grad.device):
        a = attention_map(_block_of(logits, block)).to(grad.dtype)
        grad_a = grad[:, block] * a
        if need_weight:
            grad_weight[block] = grad_a.sum(0)
        if need_logits:
            grad_z = grad_a.mul_(a.mul_(-0.5).add_(1)).mul_(weight[block])
            out_grads.append(grad_z.sum(2) if len(logits) == 2 else grad_z)
            if len(logits) == 2:
                in_grad = in_grad + grad_z.sum(1)
    if not need_logits:
        return grad_weight, (None,) * len(logits)
    grads = (torch.cat(out_grads, 1),) + ((in_grad,) if len(logits) == 2 else ())
    return grad_weight, tuple(g.to(logit.dtype) for g, logit in zip(grads, logits))


class Modulation(torch.autograd.Function):
    """W * A for every sample as one node: it keeps only W and the (small, in factorized mode)
    logits and recomputes A in backward, where plain autograd would keep four weight-sized
    tensors. Runs the fused CPU kernel where it applies, else the PyTorch path."""

    @staticmethod
    def forward(ctx, use_kernel, weight, *logits):
        ext = _fused_kernel_for(weight, *logits) if use_kernel else None
        ctx.use_kernel = ext is not None
        ctx.save_for_backward(weight, *logits)
        if ext is None:
            return _torch_forward(weight, logits)
        return ext.modulate(weight.contiguous(), [t.contiguous() for t in logits])

    @staticmethod
    def backward(ctx, grad):
        weight, *logits = ctx.saved_tensors
        need_weight, need_logits = ctx.needs_input_grad[1], any(ctx.needs_input_grad[2:])
        if ctx.use_kernel:
            grad_weight, *grad_logits = kernel().modulate_backward(
                grad.contiguous(), weight.contiguous(), [t.contiguous() for t in logits],
                need_weight, need_logits)
        else:
            grad_weight, grad_logits = _torch_backward(grad, weight, logits, need_weight,
                                                       need_logits)
        grad_logits = grad_logits if need_logits else [None] * len(logits)
        return (None, grad_weight if need_weight else None) + tuple(grad_logits)


class MatmulConv(torch.autograd.Function):
    """The fused kernel's per-sample conv of small output maps: out[n] = (A_n * W) @ cols[n]
    per group, each block of A_n * W made next to its GEMM (forward and backward), so neither the
    per-sample weights nor their gradients exist as tensors."""

    @staticmethod
    def forward(ctx, weight, cols, groups, *logits):
        ctx.groups = groups
        ctx.save_for_backward(weight, cols, *logits)
        return kernel().matmul_conv(weight.contiguous(), [t.contiguous() for t in logits],
                                    cols.contiguous(), groups)

    @staticmethod
    def backward(ctx, grad):
        weight, cols, *logits = ctx.saved_tensors
        need = ctx.needs_input_grad
        grad_weight, grad_cols, *grad_logits = kernel().matmul_conv_backward(
            grad.contiguous(), weight.contiguous(), [t.contiguous() for t in logits],
            cols.contiguous(), ctx.groups, need[0], any(need[3:]), need[1])
        grad_logits = grad_logits if any(need[3:]) else [None] * len(logits)
        return (grad_weight if need[0] else None, grad_cols if need[1] else None,
                None) + tuple(grad_logits)


class GroupedConv(torch.autograd.Function):
    """The fused kernel's per-sample conv of larger output maps: one grouped conv of the batch
    folded into channels (``grouped_conv``), with the per-sample weights made by the kernel in
    forward and made again in backward instead of being kept (they are N times the weight)."""

    @staticmethod
    def forward(ctx, x, weight, bias, stride, padding, dilation, groups, *logits):
        ctx.conv = (stride, padding, dilation, groups, bias is not None)
        ctx.save_for_backward(x, weight, *logits)
        weights = kernel().modulate(weight.contiguous(), [t.contiguous() for t in logits])
        return grouped_conv(x, weights, bias, stride, padding, dilation, groups)

    @staticmethod
    def backward(ctx, grad):
        x, weight, *logits = ctx.saved_tensors
        stride, padding, dilation, groups, has_bias = ctx.conv
        need = ctx.needs_input_grad
        need_logits = any(need[7:])
        ext = kernel()
        logits = [t.contiguous() for t in logits]
        weights = ext.modulate(weight.contiguous(), logits)
        n, c, h, w = x.shape
        d = weight.shape[0]
        grad_x, grad_weights, grad_bias = torch.ops.aten.convolution_backward(
            grad.reshape(1, n * d, *grad.shape[2:]), x.reshape(1, n * c, h, w),
            weights.view(n * d, *weight.shape[1:]), [n * d] if has_bias else None, stride,
            padding, dilation, False, [0, 0], groups * n,
            [need[0], need[1] or need_logits, has_bias and need[2]])
        grad_weight, grad_logits = None, [None] * len(logits)
        if need[1] or need_logits:
            grad_weight, *found = ext.modulate_backward(
                grad_weights.view(weights.shape).contiguous(), weight.contiguous(), logits,
                need[1], need_logits)
            grad_logits = found or grad_logits
        return (grad_x.view(x.shape) if need[0] else None, grad_weight,
                grad_bias.view(n, d).sum(0) if has_bias and need[2] else None,
                None, None, None, None, *grad_logits)


def modulate(weight, logits, traced=False, use_kernel=True):
    """Per-sample weights A_n * W: (N, D, C/g, Kh, Kw).

    Args:
        weight (Tensor): (D, C/g, Kh, Kw), what the conv convolves with.
        logits (tuple[Tensor]): As for ``attention_map``.
        traced (bool): Under ``torch.jit.trace``/ONNX export: plain autograd of the formula
            (a custom node would be an opaque Python op in the graph). Defaults to False.
        use_kernel (bool): Allow the fused CPU kernel. Defaults to True.
    """
    if traced:
        return weight * attention_map(logits)
    return Modulation.apply(use_kernel, weight, *logits)


def _output_size(size, kernel_size, stride, padding, dilation):
    return (size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1


def grouped_conv(x, weights, bias, stride, padding, dilation, groups):
    """The batch folded into channels and groups: one conv with groups = N * g. Best for large
    output maps (no im2col columns)."""
    n, c, h, w = x.shape
    d = weights.shape[1]
    folded_bias = None if bias is None else bias.repeat(n)
    out = F.conv2d(x.reshape(1, n * c, h, w), weights.reshape(n * d, *weights.shape[2:]),
                   folded_bias, stride, padding, dilation, groups * n)
    return out.view(n, d, out.shape[-2], out.shape[-1])


def matmul_conv(x, weights, bias, stride, padding, dilation, groups, traced=False):
    """im2col and one batched matmul: best for small output maps, and batch-dynamic when traced."""
    n, c, h, w = x.shape
    d, cg = weights.shape[1:3]
    kh, kw = weights.shape[-2:]
    if traced:  # ONNX's Im2Col takes the kernel size as constants; it is fixed for a conv
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', torch.jit.TracerWarning)
            kh, kw = int(kh), int(kw)
    ho = _output_size(h, kh, stride[0], padding[0], dilation[0])
    wo = _output_size(w, kw, stride[1], padding[1], dilation[1])
    cols = F.unfold(x, (kh, kw), dilation=dilation, padding=padding, stride=stride)
    cols = cols.view(n, groups, cg * kh * kw, ho * wo)
    out = torch.matmul(weights.reshape(n, groups, d // groups, cg * kh * kw), cols)
    out = out.view(n, d, ho, wo)
    if bias is not None:  # in the matmul's dtype, so autocast (bf16) output stays bf16
        out = out + bias.to(out.dtype).view(1, d, 1, 1)
    return out


def choose_path(x, weight, stride, padding, dilation, traced=False):
    """'matmul' for output maps of at most ``MATMUL_MAX_POSITIONS`` positions and always under
    tracing (the grouped conv's N * g groups would be frozen into the graph), else 'grouped'."""
    if traced:
        return 'matmul'
    kh, kw = weight.shape[-2:]
    positions = (_output_size(x.shape[2], kh, stride[0], padding[0], dilation[0])
                 * _output_size(x.shape[3], kw, stride[1], padding[1], dilation[1]))
    return 'matmul' if positions <= MATMUL_MAX_POSITIONS else 'grouped'


def per_sample_conv(x, weights, bias, stride, padding, dilation, groups, traced=False, path=None):
    """y[n] = conv2d(x[n], weights[n], bias, ...); ``padding`` a pair of ints.

    Args:
        path (str, optional): ``'grouped'`` or ``'matmul'``; by default ``choose_path``'s.
    """
    if traced:
        return matmul_conv(x, weights, bias, stride, padding, dilation, groups, traced=True)
    if x.shape[0] == 1:
        return F.conv2d(x, weights[0], bias, stride, padding, dilation, groups)
    path = path or choose_path(x, weights[0], stride, padding, dilation)
    conv = matmul_conv if path == 'matmul' else grouped_conv
    return _keep_memory_format(x, conv(x, weights, bias, stride, padding, dilation, groups))


def _keep_memory_format(x, out):
    if x.is_contiguous(memory_format=torch.channels_last) and not x.is_contiguous():
        return out.contiguous(memory_format=torch.channels_last)
    return out


def fused_matmul_conv(x, weight, bias, logits, stride, padding, dilation, groups):
    """The matmul path with the fused kernel: im2col columns (autograd's F.unfold) times each
    sample's modulated weight, made block by block in the kernel."""
    n, _, h, w = x.shape
    kh, kw = weight.shape[-2:]
    ho = _output_size(h, kh, stride[0], padding[0], dilation[0])
    wo = _output_size(w, kw, stride[1], padding[1], dilation[1])
    cols = F.unfold(x, (kh, kw), dilation=dilation, padding=padding, stride=stride)
    out = MatmulConv.apply(weight, cols, groups, *logits).view(n, weight.shape[0], ho, wo)
    if bias is not None:
        out = out + bias.view(1, -1, 1, 1)
    return _keep_memory_format(x, out)


def batch_chunks(x, weight):
    """How many near-equal chunks the batch is split into on CPU so that each chunk's per-sample
    weights (and their gradients) stay under ``MMAP_BYTES``; 1 elsewhere. Exact: the attention
    and the per-sample conv never mix samples."""
    if x.device.type != 'cpu':
        return 1
    per_sample = weight.numel() * max(weight.element_size(), x.element_size())
    most = max(1, (MMAP_BYTES - 1) // per_sample)
    return -(-x.shape[0] // most)


def aw_conv2d(x, weight, bias, logits, stride, padding, dilation, groups, traced=False,
              use_kernel=True):
    """y[n] = conv2d(x[n], A_n * weight, bias, ...) with A_n = ``attention_map(logits)[n]``.

    Args:
        x (Tensor): (N, C, H, W), already padded if the conv's padding is not plain zeros.
        weight (Tensor): (D, C/g, Kh, Kw).
        bias (Tensor | None): (D,).
        logits (tuple[Tensor]): As for ``attention_map``.
        stride, padding, dilation (tuple[int, int]): As for ``F.conv2d``.
        groups (int): As for ``F.conv2d``.
        traced (bool): Under ``torch.jit.trace``: one batch-dynamic graph. Defaults to False.
        use_kernel (bool): Allow the fused CPU kernel. Defaults to True.
    """
    if traced:
        return per_sample_conv(x, modulate(weight, logits, traced=True), bias, stride, padding,
                               dilation, groups, traced=True)
    fused = use_kernel and x.shape[0] > 1 and _fused_kernel_for(x, weight, *logits) is not None
    if fused and choose_path(x, weight, stride, padding, dilation) == 'matmul':
        return fused_matmul_conv(x, weight, bias, logits, stride, padding, dilation, groups)
    chunks = batch_chunks(x, weight)
    if chunks > 1:
        parts = zip(x.tensor_split(chunks), *[t.tensor_split(chunks) for t in logits])
        return torch.cat([aw_conv2d(part, weight, bias, tuple(part_logits), stride, padding,
                                    dilation, groups, use_kernel=use_kernel)
                          for part, *part_logits in parts])
    if fused:
        return _keep_memory_format(x, GroupedConv.apply(x, weight, bias, stride, padding,
                                                        dilation, groups, *logits))
    weights = modulate(weight, logits, use_kernel=use_kernel)
    return per_sample_conv(x, weights, bias, stride, padding, dilation, groups)
