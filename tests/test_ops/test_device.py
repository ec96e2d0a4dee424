"""AWConv2d on the accelerator (``AW_MMDET_TEST_DEVICE=cuda``, what tools/gpu_check.sh sets;
CPU otherwise, so these run everywhere): outputs and gradients against the per-sample reference
computed in float64 on the CPU, and AMP (fp16 on CUDA, bf16 on CPU) close to float32."""
import os

import pytest
import torch

from aw_mmdet import AWConv2d
from aw_reference import randomise_attention, reference_aw_conv

DEVICE = torch.device(os.environ.get('AW_MMDET_TEST_DEVICE', 'cpu'))
if DEVICE.type == 'cuda' and not torch.cuda.is_available():
    pytest.skip('AW_MMDET_TEST_DEVICE=cuda but no CUDA device', allow_module_level=True)
AMP_DTYPE = torch.float16 if DEVICE.type == 'cuda' else torch.bfloat16

# (in, out, stride, groups, input size): small maps (matmul path), large (grouped), batch chunks
CASES = [(16, 32, 1, 1, (7, 9)), (32, 32, 2, 4, (40, 36)), (64, 64, 1, 1, (12, 12))]


def _pair(case, mode, seed):
    cin, cout, stride, groups, _ = case
    gen = torch.Generator().manual_seed(seed)
    conv = AWConv2d(cin, cout, 3, stride=stride, padding=1, groups=groups, reduction=4,
                    attention=mode).double()
    randomise_attention(conv, gen, scale=0.3)
    device_conv = AWConv2d(cin, cout, 3, stride=stride, padding=1, groups=groups, reduction=4,
                           attention=mode).to(DEVICE)
    device_conv.load_state_dict(conv.state_dict())
    return conv, device_conv, gen


@pytest.mark.parametrize('mode', ['factorized', 'dense'])
@pytest.mark.parametrize('case', CASES)
def test_forward_and_backward_on_device_match_reference(case, mode):
    conv, device_conv, gen = _pair(case, mode, seed=sum(case[:4]))
    x = torch.randn(3, case[0], *case[4], generator=gen, dtype=torch.float64)
    grad = torch.randn_like(reference_aw_conv(conv, x))
    want_x = x.clone().requires_grad_()
    reference_aw_conv(conv, want_x).backward(grad)
    got_x = x.float().to(DEVICE).requires_grad_()
    out = device_conv(got_x)
    out.backward(grad.float().to(DEVICE))
    tol = dict(rtol=1e-3, atol=1e-3)
    torch.testing.assert_close(out.double().cpu(), reference_aw_conv(conv, x).detach(), **tol)
    torch.testing.assert_close(got_x.grad.double().cpu(), want_x.grad, **tol)
    params = dict(conv.named_parameters())
    for name, param in device_conv.named_parameters():
        torch.testing.assert_close(param.grad.double().cpu(), params[name].grad, **tol)


@pytest.mark.parametrize('mode', ['factorized', 'dense'])
def test_amp_training_step_close_to_float32(mode):
    _, device_conv, gen = _pair(CASES[1], mode, seed=7)
    x = torch.randn(4, CASES[1][0], *CASES[1][4], generator=gen).to(DEVICE)
    expected = device_conv(x)
    with torch.autocast(DEVICE.type, dtype=AMP_DTYPE):
        out = device_conv(x)
    assert out.dtype == AMP_DTYPE
    torch.testing.assert_close(out.float(), expected, rtol=0.05, atol=0.1)
    out.float().square().mean().backward()
    assert all(torch.isfinite(p.grad).all() for p in device_conv.parameters())
