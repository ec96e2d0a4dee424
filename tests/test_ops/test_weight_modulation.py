"""The fused W * 2*sigmoid(logits) autograd node against plain autograd on the explicit formula."""
import pytest
import torch

from aw_mmdet.ops.weight_modulation import modulate_dense, modulate_factorized


def _explicit_factorized(weight, out_logits, in_logits):
    return weight * 2 * torch.sigmoid(out_logits[:, :, None] + in_logits[:, None])


def _explicit_dense(weight, logits):
    return weight * 2 * torch.sigmoid(logits)


def _grads(fn, inputs, grad):
    inputs = [t.detach().clone().requires_grad_(t.requires_grad) for t in inputs]
    out = fn(*inputs)
    out.backward(grad)
    return out.detach(), [None if t.grad is None else t.grad for t in inputs]


@pytest.mark.parametrize('frozen_weight', [False, True])
def test_factorized_matches_autograd_of_formula(frozen_weight):
    torch.manual_seed(0)
    weight = torch.randn(6, 4, 3, 3, dtype=torch.float64, requires_grad=not frozen_weight)
    out_logits = torch.randn(3, 6, 3, 3, dtype=torch.float64, requires_grad=True)
    in_logits = torch.randn(3, 4, 3, 3, dtype=torch.float64, requires_grad=True)
    grad = torch.randn(3, 6, 4, 3, 3, dtype=torch.float64)
    inputs = (weight, out_logits, in_logits)
    fused, fused_grads = _grads(modulate_factorized, inputs, grad)
    plain, plain_grads = _grads(_explicit_factorized, inputs, grad)
    torch.testing.assert_close(fused, plain)
    for got, want in zip(fused_grads, plain_grads):
        assert (got is None) == (want is None)
        if want is not None:
            torch.testing.assert_close(got, want)


def test_dense_matches_autograd_of_formula():
    torch.manual_seed(0)
    weight = torch.randn(6, 2, 1, 3, dtype=torch.float64, requires_grad=True)
    logits = torch.randn(2, 6, 2, 1, 3, dtype=torch.float64, requires_grad=True)
    grad = torch.randn(2, 6, 2, 1, 3, dtype=torch.float64)
    fused, fused_grads = _grads(modulate_dense, (weight, logits), grad)
    plain, plain_grads = _grads(_explicit_dense, (weight, logits), grad)
    torch.testing.assert_close(fused, plain)
    for got, want in zip(fused_grads, plain_grads):
        torch.testing.assert_close(got, want)


def test_bf16_logits_give_grads_in_their_own_dtype():
    weight = torch.randn(4, 2, 3, 3, requires_grad=True)
    out_logits = torch.randn(2, 4, 3, 3, dtype=torch.bfloat16, requires_grad=True)
    in_logits = torch.randn(2, 2, 3, 3, dtype=torch.bfloat16, requires_grad=True)
    modulate_factorized(weight, out_logits, in_logits).sum().backward()
    assert weight.grad.dtype == torch.float32
    assert out_logits.grad.dtype == in_logits.grad.dtype == torch.bfloat16
    want = 2 * torch.sigmoid(out_logits.float()[:, :, None] + in_logits.float()[:, None]).sum(0)
    torch.testing.assert_close(weight.grad, want, rtol=2e-2, atol=2e-2)
