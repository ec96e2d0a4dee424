"""W * A_n for every sample, with A_n = 2 * sigmoid(logits_n), as one autograd node.

Plain autograd keeps the summed logits, the sigmoid, 2*sigmoid and the product (four tensors of
N x D x C/g x Kh x Kw) and walks each in backward. At late ResNet stages those weight-sized tensors
are bigger than the activations, so this node keeps only the (small) logits and the weight and
recomputes the sigmoid in backward: fewer passes over weight-sized memory and less memory held.
"""
import torch


def _factorized_sigmoid(out_logits, in_logits):
    # (N, D, Kh, Kw) + (N, C/g, Kh, Kw) -> (N, D, C/g, Kh, Kw)
    return torch.sigmoid(out_logits.unsqueeze(2) + in_logits.unsqueeze(1))


class _FactorizedModulation(torch.autograd.Function):

    @staticmethod
    def forward(ctx, weight, out_logits, in_logits):
        ctx.save_for_backward(weight, out_logits, in_logits)
        gate = _factorized_sigmoid(out_logits, in_logits)
        return gate * (2 * weight)

    @staticmethod
    def backward(ctx, grad):
        weight, out_logits, in_logits = ctx.saved_tensors
        gate = _factorized_sigmoid(out_logits, in_logits)
        grad_weight = grad_out = grad_in = None
        if ctx.needs_input_grad[0]:
            grad_weight = (grad * gate).sum(0).mul_(2).to(weight.dtype)
        if ctx.needs_input_grad[1] or ctx.needs_input_grad[2]:
            scaled = grad * (2 * weight)
            grad_logits = torch.ops.aten.sigmoid_backward(scaled, gate.to(scaled.dtype))
            grad_out = grad_logits.sum(2).to(out_logits.dtype)
            grad_in = grad_logits.sum(1).to(in_logits.dtype)
        return grad_weight, grad_out, grad_in


class _DenseModulation(torch.autograd.Function):

    @staticmethod
    def forward(ctx, weight, logits):
        ctx.save_for_backward(weight, logits)
        return torch.sigmoid(logits) * (2 * weight)

    @staticmethod
    def backward(ctx, grad):
        weight, logits = ctx.saved_tensors
        gate = torch.sigmoid(logits)
        grad_weight = grad_logits = None
        if ctx.needs_input_grad[0]:
            grad_weight = (grad * gate).sum(0).mul_(2).to(weight.dtype)
        if ctx.needs_input_grad[1]:
            scaled = grad * (2 * weight)
            grad_logits = torch.ops.aten.sigmoid_backward(scaled, gate.to(scaled.dtype))
            grad_logits = grad_logits.to(logits.dtype)
        return grad_weight, grad_logits


def modulate_factorized(weight, out_logits, in_logits):
    """(N, D, C/g, Kh, Kw) = weight * 2 * sigmoid(out_logits[:, :, None] + in_logits[:, None])."""
    return _FactorizedModulation.apply(weight, out_logits, in_logits)


def modulate_dense(weight, logits):
    """(N, D, C/g, Kh, Kw) = weight * 2 * sigmoid(logits)."""
    return _DenseModulation.apply(weight, logits)
