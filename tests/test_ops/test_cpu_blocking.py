"""The CPU-only splits of AW's work (batch chunks under glibc's mmap threshold, output-channel
blocks of the modulation) give what the unsplit formula gives: the per-sample reference and
plain autograd of the explicit formula, forced to many chunks and blocks."""
import pytest
import torch

import aw_mmdet.ops.batch_chunks as batch_chunks_module
import aw_mmdet.ops.weight_modulation as weight_modulation
from aw_mmdet import AWConv2d
from aw_mmdet.ops.batch_chunks import batch_chunks
from aw_mmdet.ops.weight_modulation import modulate_dense, modulate_factorized
from aw_reference import randomise_attention, reference_aw_conv


def _explicit(weight, *logits):
    if len(logits) == 2:
        return weight * 2 * torch.sigmoid(logits[0][:, :, None] + logits[1][:, None])
    return weight * 2 * torch.sigmoid(logits[0])


def _run(fn, tensors, grad):
    tensors = [t.detach().clone().requires_grad_(t.requires_grad) for t in tensors]
    out = fn(*tensors)
    out.backward(grad)
    return out.detach(), [t.grad for t in tensors]


@pytest.mark.parametrize('mode', ['factorized', 'dense'])
@pytest.mark.parametrize('weight_grad,logit_grad', [(True, True), (False, True), (True, False)])
def test_blocked_modulation_equals_formula(monkeypatch, mode, weight_grad, logit_grad):
    """7 output channels x (3 x 4 x 9) elements each, in blocks of 2 channels (4 blocks, the
    last one short)."""
    monkeypatch.setattr(weight_modulation, 'BLOCK_ELEMENTS', 2 * 3 * 4 * 9)
    gen = torch.Generator().manual_seed(0)
    weight = torch.randn(7, 4, 3, 3, generator=gen, dtype=torch.float64).requires_grad_(weight_grad)
    if mode == 'factorized':
        logits = [torch.randn(3, 7, 3, 3, generator=gen, dtype=torch.float64),
                  torch.randn(3, 4, 3, 3, generator=gen, dtype=torch.float64)]
        fn = modulate_factorized
    else:
        logits = [torch.randn(3, 7, 4, 3, 3, generator=gen, dtype=torch.float64)]
        fn = modulate_dense
    logits = [t.requires_grad_(logit_grad) for t in logits]
    grad = torch.randn(3, 7, 4, 3, 3, generator=gen, dtype=torch.float64)
    got, got_grads = _run(fn, [weight, *logits], grad)
    want, want_grads = _run(_explicit, [weight, *logits], grad)
    torch.testing.assert_close(got, want)
    for g, w in zip(got_grads, want_grads):
        assert (g is None) == (w is None)
        if w is not None:
            torch.testing.assert_close(g, w)


def test_batch_chunks_count():
    weight = torch.empty(8, 4, 3, 3)  # 288 floats = 1152 bytes per sample
    x = torch.empty(5, 4, 6, 6)
    assert batch_chunks(x, weight) is None  # far under 32 MB
    assert batch_chunks(x.to('meta'), weight.to('meta')) is None  # CPU only
    big = torch.empty(512, 512, 3, 3)  # 9.4 MB per sample: 3 samples fit under 32 MB
    assert batch_chunks(torch.empty(3, 512, 5, 5), big) is None
    assert batch_chunks(torch.empty(4, 512, 5, 5), big) == 2
    assert batch_chunks(torch.empty(16, 512, 5, 5), big) == 6


@pytest.mark.parametrize('padding_mode,channels_last', [('zeros', False), ('reflect', False),
                                                         ('zeros', True)])
def test_chunked_batch_equals_reference(monkeypatch, padding_mode, channels_last):
    """A batch of 5 in 3 chunks (2 + 2 + 1): outputs and the gradients of input, weight, bias
    and attention equal the per-sample reference's."""
    conv = AWConv2d(4, 6, 3, padding=1, bias=True, padding_mode=padding_mode, reduction=2,
                    min_hidden=3).double()
    per_sample = conv.weight.numel() * 8
    monkeypatch.setattr(batch_chunks_module, 'MMAP_BYTES', 2 * per_sample + 1)
    gen = torch.Generator().manual_seed(3)
    randomise_attention(conv, gen)
    x = torch.randn(5, 4, 7, 6, generator=gen, dtype=torch.float64)
    if channels_last:
        x = x.contiguous(memory_format=torch.channels_last)
    assert batch_chunks(x, conv.weight) == 3
    grad = torch.randn(5, 6, 7, 6, generator=gen, dtype=torch.float64)

    def run(fn):
        inp = x.detach().clone().requires_grad_()
        conv.zero_grad()
        out = fn(inp)
        out.backward(grad)
        return out, inp.grad, [p.grad.clone() for p in conv.parameters()]

    out, x_grad, param_grads = run(conv)
    want, want_x_grad, want_param_grads = run(lambda inp: reference_aw_conv(conv, inp))
    torch.testing.assert_close(out, want)
    assert out.is_contiguous(memory_format=torch.channels_last) == channels_last
    torch.testing.assert_close(x_grad, want_x_grad)
    for got, expected in zip(param_grads, want_param_grads):
        torch.testing.assert_close(got, expected)
