"""AW's functional core: the modulation W * A_n (fused CPU kernel and PyTorch path) against plain
autograd of the explicit formula written here, and the CPU splits (output-channel blocks, batch
chunks) against the independent per-sample reference (tests/aw_reference.py)."""
import shutil

import pytest
import torch

import aw_mmdet.ops.functional as functional
from aw_mmdet import AWConv2d
from aw_mmdet.ops.fused_kernel import kernel
from aw_reference import randomise_attention, reference_aw_conv


def explicit(weight, *logits):
    """W * 2 sigmoid(z), written out from docs/aw_conv.md."""
    if len(logits) == 2:
        return weight * 2 * torch.sigmoid(logits[0][:, :, None] + logits[1][:, None])
    return weight * 2 * torch.sigmoid(logits[0])


def _inputs(mode, n, d, c, kh, kw, dtype, gen, scale=1.0):
    weight = torch.randn(d, c, kh, kw, generator=gen, dtype=dtype)
    if mode == 'factorized':
        logits = [torch.randn(n, d, kh, kw, generator=gen, dtype=dtype) * scale,
                  torch.randn(n, c, kh, kw, generator=gen, dtype=dtype) * scale]
    else:
        logits = [torch.randn(n, d, c, kh, kw, generator=gen, dtype=dtype) * scale]
    return weight, logits, torch.randn(n, d, c, kh, kw, generator=gen, dtype=dtype)


def _run(fn, tensors, grad, requires=None):
    requires = requires or [True] * len(tensors)
    tensors = [t.detach().clone().requires_grad_(r) for t, r in zip(tensors, requires)]
    out = fn(*tensors)
    out.backward(grad)
    return out.detach(), [t.grad for t in tensors]


def _assert_same(got, want, **tol):
    torch.testing.assert_close(got[0], want[0], **tol)
    for g, w in zip(got[1], want[1]):
        assert (g is None) == (w is None)
        if w is not None:
            torch.testing.assert_close(g, w, **tol)


def test_fused_kernel_is_built_where_a_compiler_exists():
    """Else every kernel-vs-formula test below would compare the PyTorch path with itself."""
    if shutil.which('c++') is None:
        pytest.skip('no C++ compiler: AW runs its PyTorch path')
    assert kernel() is not None


# (N, D, C/g, Kh, Kw): 3x3, 1x1, odd rows that leave vector tails, rows shorter than a vector
SHAPES = [(3, 8, 4, 3, 3), (2, 16, 16, 1, 1), (4, 7, 33, 3, 3), (1, 3, 2, 1, 3), (2, 5, 1, 3, 3),
          (2, 6, 3, 5, 7)]


@pytest.mark.parametrize('threads', [1, 2])
@pytest.mark.parametrize('dtype', [torch.float32, torch.float64])
@pytest.mark.parametrize('mode', ['factorized', 'dense'])
@pytest.mark.parametrize('shape', SHAPES)
@pytest.mark.parametrize('use_kernel', [True, False])
def test_modulation_equals_formula(use_kernel, shape, mode, dtype, threads):
    gen = torch.Generator().manual_seed(sum(shape) + threads)
    weight, logits, grad = _inputs(mode, *shape, dtype, gen)
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        got = _run(lambda w, *ls: functional.modulate(w, ls, use_kernel=use_kernel),
                   [weight, *logits], grad)
    finally:
        torch.set_num_threads(before)
    _assert_same(got, _run(explicit, [weight, *logits], grad))


@pytest.mark.parametrize('mode', ['factorized', 'dense'])
@pytest.mark.parametrize('requires', [(True, False), (False, True)])
@pytest.mark.parametrize('use_kernel', [True, False])
def test_modulation_gradients_only_where_asked(use_kernel, requires, mode):
    gen = torch.Generator().manual_seed(4)
    weight, logits, grad = _inputs(mode, 3, 5, 4, 3, 3, torch.float64, gen)
    requires = [requires[0]] + [requires[1]] * len(logits)
    got = _run(lambda w, *ls: functional.modulate(w, ls, use_kernel=use_kernel),
               [weight, *logits], grad, requires)
    _assert_same(got, _run(explicit, [weight, *logits], grad, requires))


@pytest.mark.parametrize('mode', ['factorized', 'dense'])
@pytest.mark.parametrize('use_kernel', [True, False])
def test_modulation_gradcheck(use_kernel, mode):
    gen = torch.Generator().manual_seed(5)
    weight, logits, _ = _inputs(mode, 2, 3, 5, 3, 3, torch.float64, gen)
    inputs = [t.requires_grad_() for t in [weight, *logits]]
    assert torch.autograd.gradcheck(
        lambda w, *ls: functional.modulate(w, ls, use_kernel=use_kernel), inputs)


@pytest.mark.parametrize('dtype', [torch.float32, torch.float64])
def test_kernel_with_saturated_factorized_logits(dtype):
    """Logits far beyond exp's range: the kernel's product of exponentials would overflow, so it
    exponentiates each sum instead (a_out + a_in moderate while each term is huge)."""
    gen = torch.Generator().manual_seed(6)
    weight, (a_out, a_in), grad = _inputs('factorized', 2, 4, 3, 3, 3, dtype, gen)
    big = 1000.0
    logits = [a_out + big, a_in - big]
    got = _run(lambda w, *ls: functional.modulate(w, ls), [weight, *logits], grad)
    _assert_same(got, _run(explicit, [weight, *logits], grad))
    assert torch.isfinite(got[0]).all() and all(torch.isfinite(g).all() for g in got[1])


@pytest.mark.parametrize('mode', ['factorized', 'dense'])
def test_pytorch_path_in_output_channel_blocks_equals_formula(monkeypatch, mode):
    """7 output channels x (3 x 4 x 9) values each, in blocks of 2 channels (the last short)."""
    monkeypatch.setattr(functional, 'BLOCK_ELEMENTS', 2 * 3 * 4 * 9)
    gen = torch.Generator().manual_seed(0)
    weight, logits, grad = _inputs(mode, 3, 7, 4, 3, 3, torch.float64, gen)
    assert len(functional._blocks(3, weight, weight.device)) == 4
    got = _run(lambda w, *ls: functional.modulate(w, ls, use_kernel=False), [weight, *logits],
               grad)
    _assert_same(got, _run(explicit, [weight, *logits], grad))


def test_bf16_logits_under_autocast_give_grads_in_their_own_dtype():
    """Mixed dtypes (autocast) take the PyTorch path; gradients come back in each input's dtype."""
    weight = torch.randn(4, 2, 3, 3, requires_grad=True)
    out_logits = torch.randn(2, 4, 3, 3, dtype=torch.bfloat16, requires_grad=True)
    in_logits = torch.randn(2, 2, 3, 3, dtype=torch.bfloat16, requires_grad=True)
    functional.modulate(weight, (out_logits, in_logits)).sum().backward()
    assert weight.grad.dtype == torch.float32
    assert out_logits.grad.dtype == in_logits.grad.dtype == torch.bfloat16
    want = 2 * torch.sigmoid(out_logits.float()[:, :, None] + in_logits.float()[:, None]).sum(0)
    torch.testing.assert_close(weight.grad, want, rtol=2e-2, atol=2e-2)


def test_batch_chunks_count():
    weight = torch.empty(8, 4, 3, 3)  # 288 floats = 1152 bytes per sample
    assert functional.batch_chunks(torch.empty(5, 4, 6, 6), weight) == 1  # far under 32 MB
    assert functional.batch_chunks(torch.empty(5, 4, 6, 6, device='meta'), weight) == 1
    big = torch.empty(512, 512, 3, 3)  # 9.4 MB per sample: 3 samples fit under 32 MB
    assert functional.batch_chunks(torch.empty(3, 512, 5, 5), big) == 1
    assert functional.batch_chunks(torch.empty(4, 512, 5, 5), big) == 2
    assert functional.batch_chunks(torch.empty(16, 512, 5, 5), big) == 6


@pytest.mark.parametrize('use_kernel', [True, False])
@pytest.mark.parametrize('padding_mode,channels_last', [('zeros', False), ('reflect', False),
                                                         ('zeros', True)])
def test_chunked_batch_equals_reference(monkeypatch, padding_mode, channels_last, use_kernel):
    """A batch of 5 in 3 chunks (2 + 2 + 1): outputs and the gradients of input, weight, bias
    and attention equal the per-sample reference's."""
    conv = AWConv2d(4, 6, 3, padding=1, bias=True, padding_mode=padding_mode, reduction=2,
                    min_hidden=3).double()
    monkeypatch.setattr(functional, 'MMAP_BYTES', 2 * conv.weight.numel() * 8 + 1)
    if not use_kernel:
        monkeypatch.setattr(functional, '_fused_kernel_for', lambda *tensors: None)
    gen = torch.Generator().manual_seed(3)
    randomise_attention(conv, gen)
    x = torch.randn(5, 4, 7, 6, generator=gen, dtype=torch.float64)
    if channels_last:
        x = x.contiguous(memory_format=torch.channels_last)
    assert functional.batch_chunks(x, conv.weight) == 3
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


# (in, out, kernel, stride, padding, dilation, groups, input size, path)
FUSED_CASES = [(8, 12, 3, 1, 1, 1, 1, (5, 6), 'matmul'), (12, 8, 3, 2, 1, 1, 4, (9, 7), 'matmul'),
               (6, 9, (1, 3), 1, (0, 1), (1, 2), 3, (4, 7), 'matmul'),
               (40, 36, 3, 1, 1, 1, 2, (3, 3), 'matmul'), (8, 12, 3, 1, 1, 1, 1, (9, 8), 'grouped'),
               (12, 8, 3, 2, 1, 2, 4, (19, 17), 'grouped'),
               (6, 9, (1, 3), 1, (0, 1), 1, 3, (8, 9), 'grouped')]


@pytest.mark.parametrize('threads', [1, 2])
@pytest.mark.parametrize('dtype', [torch.float32, torch.float64])
@pytest.mark.parametrize('mode', ['factorized', 'dense'])
@pytest.mark.parametrize('case', FUSED_CASES)
def test_fused_per_sample_conv_equals_reference(case, mode, dtype, threads):
    """The kernel's per-sample convs (matmul: Wn made block by block next to each GEMM;
    grouped: Wn made again in backward instead of kept): outputs and every gradient against the
    per-sample reference, with the attention off identity."""
    cin, cout, k, s, p, d, g, size, path = case
    conv = AWConv2d(cin, cout, k, stride=s, padding=p, dilation=d, groups=g, reduction=2,
                    min_hidden=3, attention=mode).to(dtype)
    gen = torch.Generator().manual_seed(sum(size) + cin)
    randomise_attention(conv, gen)
    x = torch.randn(3, cin, *size, generator=gen, dtype=dtype)
    assert functional.choose_path(x, conv.weight, conv.stride, conv.padding,
                                  conv.dilation) == path
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        got = _conv_grads(conv, x, conv)
    finally:
        torch.set_num_threads(before)
    tol = {} if dtype == torch.float64 else dict(rtol=1e-4, atol=1e-4)
    want = _conv_grads(conv, x, lambda inp: reference_aw_conv(conv, inp))
    for a, b in zip(got, want):
        torch.testing.assert_close(a, b, **tol)


def _conv_grads(conv, x, fn):
    inp = x.detach().clone().requires_grad_()
    conv.zero_grad()
    out = fn(inp)
    grad = 1 + torch.arange(out.numel(), dtype=out.dtype).view_as(out) / out.numel()
    out.backward(grad)
    return [out.detach(), inp.grad] + [p.grad.clone() for p in conv.parameters()]


@pytest.mark.parametrize('mode', ['factorized', 'dense'])
def test_fused_matmul_conv_gradcheck(mode):
    gen = torch.Generator().manual_seed(8)
    weight = torch.randn(6, 2, 3, 3, generator=gen, dtype=torch.float64, requires_grad=True)
    x = torch.randn(2, 4, 4, 5, generator=gen, dtype=torch.float64, requires_grad=True)
    if mode == 'factorized':
        logits = [torch.randn(2, 6, 3, 3, generator=gen, dtype=torch.float64),
                  torch.randn(2, 2, 3, 3, generator=gen, dtype=torch.float64)]
    else:
        logits = [torch.randn(2, 6, 2, 3, 3, generator=gen, dtype=torch.float64)]
    logits = [t.requires_grad_() for t in logits]
    assert torch.autograd.gradcheck(
        lambda inp, w, *ls: functional.fused_matmul_conv(inp, w, None, ls, (1, 1), (1, 1),
                                                         (1, 1), 2), (x, weight, *logits))


@pytest.mark.parametrize('size', [(5, 6), (9, 8)], ids=['matmul', 'grouped'])
def test_fused_convs_with_frozen_weight_and_input_without_grad(size):
    """Only the attention trains (a frozen stage's weight, an input that needs no gradient):
    its gradients still equal the reference's."""
    gen = torch.Generator().manual_seed(9)
    conv = AWConv2d(8, 12, 3, padding=1, reduction=2, min_hidden=3).double()
    randomise_attention(conv, gen)
    conv.weight.requires_grad_(False)
    x = torch.randn(3, 8, *size, generator=gen, dtype=torch.float64)
    grads = []
    for fn in (conv, lambda inp: reference_aw_conv(conv, inp)):
        conv.zero_grad()
        fn(x).square().sum().backward()
        assert conv.weight.grad is None
        grads.append([p.grad.clone() for p in conv.attention.parameters()])
    for got, want in zip(*grads):
        torch.testing.assert_close(got, want)
