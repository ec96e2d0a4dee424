"""W * A_n for every sample, with A_n = 2 * sigmoid(logits_n), as one autograd node.

Plain autograd keeps the summed logits, the sigmoid, 2*sigmoid and the product (four tensors of
N x D x C/g x Kh x Kw) and walks each in backward. At late ResNet stages those weight-sized tensors
are bigger than the activations, so this node keeps only the (small) logits and the weight and
recomputes the sigmoid in backward: less memory held.

At small feature maps these weight-sized elementwise passes, not the convolution, are most of
AW's extra time (docs/benchmarks.md, "Small maps"), so they allocate as little as they can and
work in place. On CPU the work also runs block by block over output channels: forward writes the
per-sample weights once, straight into the output, and backward holds two block-sized
temporaries instead of two weight-sized ones. (Block size measured on 2 cores: 1M elements was
the fastest of 64k-4M and unblocked, by 1-3 %.) Other devices, and mixed dtypes as under
autocast, take the unblocked path.
"""
import torch

#: Elements of one block of the blocked CPU path (4 MB of float32).
BLOCK_ELEMENTS = 1024 * 1024


def _factorized_gate(out_logits, in_logits):
    # (N, D, Kh, Kw) + (N, C/g, Kh, Kw) -> sigmoid, (N, D, C/g, Kh, Kw), in one new tensor
    return torch.add(out_logits.unsqueeze(2), in_logits.unsqueeze(1)).sigmoid_()


def _dense_gate(logits):
    return torch.sigmoid(logits)


def _blocked(*tensors):
    """Whether the blocked path applies: CPU, one dtype everywhere."""
    first = tensors[0]
    return first.device.type == 'cpu' and all(t.dtype == first.dtype for t in tensors)


def _blocks(n, weight):
    """Slices over output channels of at most ``BLOCK_ELEMENTS`` elements of (N, D, C/g, Kh, Kw)."""
    per_channel = n * weight[0].numel()
    step = max(1, BLOCK_ELEMENTS // per_channel)
    return [slice(s, s + step) for s in range(0, weight.shape[0], step)]


def _gate_of(logits, block=slice(None)):
    """The gate of output channels ``block``: from (out_logits, in_logits) or (logits,)."""
    if len(logits) == 2:
        return _factorized_gate(logits[0][:, block], logits[1])
    return _dense_gate(logits[0][:, block])


def _forward(weight, logits):
    n = logits[0].shape[0]
    if not _blocked(weight, *logits):
        gate = _gate_of(logits)
        return gate * (2 * weight) if gate.dtype != weight.dtype else gate.mul_(2 * weight)
    out = torch.empty((n, ) + weight.shape, dtype=weight.dtype, device=weight.device)
    for block in _blocks(n, weight):
        part = out[:, block]
        if len(logits) == 2:
            torch.add(logits[0][:, block].unsqueeze(2), logits[1].unsqueeze(1), out=part)
            part.sigmoid_()
        else:
            torch.sigmoid(logits[0][:, block], out=part)
        part.mul_(2 * weight[block])
    return out


def _logit_grads(grad_logits, logits):
    """Reduce weight-sized logit gradients to the logits' shapes: factorized sums over the
    other axis, dense is already shaped."""
    if len(logits) == 2:
        return grad_logits.sum(2), grad_logits.sum(1)
    return (grad_logits, )


def _backward(grad, weight, logits, need_weight, need_logits):
    """(dL/dW or None, dL/dlogits tuple or Nones) of out = 2 * W * gate(logits)."""
    if not _blocked(grad, weight, *logits):
        return _backward_unblocked(grad, weight, logits, need_weight, need_logits)
    grad_weight = torch.empty_like(weight) if need_weight else None
    parts = []
    for block in _blocks(grad.shape[0], weight):
        gate, grad_block = _gate_of(logits, block), grad[:, block]
        scaled_grad = grad_block * gate
        if need_weight:
            torch.sum(scaled_grad, 0, out=grad_weight[block]).mul_(2)
        if need_logits:
            # grad * 2W * g * (1 - g) = (grad * g) * (1 - g) * 2W, in gate's memory
            gate = torch.sub(1, gate, out=gate).mul_(scaled_grad).mul_(2 * weight[block])
            parts.append(_logit_grads(gate, logits))
    if not need_logits:
        return grad_weight, (None, ) * len(logits)
    if len(logits) == 2:  # per block: out-logit grads of its channels, in-logit grads summed
        return grad_weight, (torch.cat([p[0] for p in parts], 1),
                             torch.stack([p[1] for p in parts]).sum(0))
    return grad_weight, (torch.cat([p[0] for p in parts], 1), )


def _backward_unblocked(grad, weight, logits, need_weight, need_logits):
    gate = _gate_of(logits)
    grad_weight = None
    if need_weight:
        grad_weight = (grad * gate).sum(0).mul_(2).to(weight.dtype)
    if not need_logits:
        return grad_weight, (None, ) * len(logits)
    grad_logits = torch.ops.aten.sigmoid_backward(grad * (2 * weight), gate.to(grad.dtype))
    return grad_weight, tuple(grad.to(logit.dtype) for grad, logit
                              in zip(_logit_grads(grad_logits, logits), logits))


class _Modulation(torch.autograd.Function):
    """out = 2 * sigmoid(logits) * weight; logits = (out_logits, in_logits) or (logits,)."""

    @staticmethod
    def forward(ctx, weight, *logits):
        ctx.save_for_backward(weight, *logits)
        return _forward(weight, logits)

    @staticmethod
    def backward(ctx, grad):
        weight, *logits = ctx.saved_tensors
        need_logits = any(ctx.needs_input_grad[1:])
        grad_weight, grad_logits = _backward(grad, weight, tuple(logits),
                                             ctx.needs_input_grad[0], need_logits)
        return (grad_weight, ) + tuple(grad_logits)


def modulate_factorized(weight, out_logits, in_logits):
    """(N, D, C/g, Kh, Kw) = weight * 2 * sigmoid(out_logits[:, :, None] + in_logits[:, None])."""
    return _Modulation.apply(weight, out_logits, in_logits)


def modulate_dense(weight, logits):
    """(N, D, C/g, Kh, Kw) = weight * 2 * sigmoid(logits)."""
    return _Modulation.apply(weight, logits)
