"""AWConv2d against the independent per-sample reference (tests/aw_reference.py)."""
import itertools

import pytest
import torch
import torch.nn as nn
from mmcv.cnn import build_conv_layer

from aw_mmdet import AWConv2d
from aw_reference import randomise_attention, reference_attention, reference_aw_conv
from helpers import stable_seed

CASES = [
    # (in, out, kernel, stride, padding, dilation, groups, bias)
    (4, 6, 3, 1, 1, 1, 1, True),
    (4, 6, 3, 2, 1, 1, 1, False),
    (8, 8, 3, 1, 2, 2, 2, True),
    (8, 12, 3, 2, 0, 1, 4, False),
    (6, 4, 1, 1, 0, 1, 1, True),
    (6, 4, 1, 2, 0, 1, 2, False),
    (4, 4, (1, 3), 1, (0, 1), 1, 1, True),
    (8, 4, (1, 3), (2, 1), (0, 2), (1, 2), 4, False),
]


@pytest.mark.parametrize('case,mode,batch',
                         list(itertools.product(CASES, ['factorized', 'dense'], [1, 2, 3])))
def test_matches_per_sample_reference(case, mode, batch):
    cin, cout, k, s, p, d, g, b = case
    gen = torch.Generator().manual_seed(stable_seed(case, mode, batch))
    conv = AWConv2d(cin, cout, k, stride=s, padding=p, dilation=d, groups=g, bias=b,
                    reduction=2, min_hidden=3, attention=mode).double()
    randomise_attention(conv, gen)
    x = torch.randn(batch, cin, 9, 7, generator=gen, dtype=torch.float64)
    torch.testing.assert_close(conv.attention(x), reference_attention(conv, x))
    torch.testing.assert_close(conv(x), reference_aw_conv(conv, x))


def test_identity_at_init_equals_plain_conv():
    torch.manual_seed(0)
    plain = nn.Conv2d(8, 16, 3, stride=2, padding=1, groups=2, bias=True)
    aw = AWConv2d(8, 16, 3, stride=2, padding=1, groups=2, bias=True)
    aw.load_state_dict(plain.state_dict(), strict=False)
    x = torch.randn(3, 8, 11, 10)
    assert torch.equal(aw.attention(x), torch.ones(3, 16, 4, 3, 3))
    torch.testing.assert_close(aw(x), plain(x), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize('mode', ['factorized', 'dense'])
def test_gradcheck_through_input_weight_and_attention(mode):
    torch.manual_seed(1)
    conv = AWConv2d(4, 4, 3, padding=1, groups=2, reduction=2, min_hidden=2,
                    attention=mode).double()
    randomise_attention(conv)
    names = [n for n, _ in conv.named_parameters()]
    assert any(n.startswith('attention.') for n in names) and 'weight' in names
    x = torch.randn(2, 4, 5, 4, dtype=torch.float64, requires_grad=True)
    params = [p.detach().clone().requires_grad_(True) for p in conv.parameters()]

    def fn(inp, *ps):
        return torch.func.functional_call(conv, dict(zip(names, ps)), (inp,))

    assert torch.autograd.gradcheck(fn, (x, *params), eps=1e-6, atol=1e-5)


def test_plain_conv_state_dict_loads_with_only_attention_missing():
    plain = nn.Conv2d(16, 32, 3, padding=1)
    aw = AWConv2d(16, 32, 3, padding=1)
    result = aw.load_state_dict(plain.state_dict(), strict=False)
    assert result.unexpected_keys == []
    assert result.missing_keys and all(k.startswith('attention.') for k in result.missing_keys)
    assert set(result.missing_keys) == {
        'attention.hidden.weight', 'attention.hidden.bias', 'attention.out_logits.weight',
        'attention.out_logits.bias', 'attention.in_logits.weight', 'attention.in_logits.bias'}


def test_hidden_width_rule():
    assert AWConv2d(64, 64, 3, reduction=16).attention.hidden.out_channels == 8
    assert AWConv2d(512, 64, 3, reduction=16).attention.hidden.out_channels == 32
    assert AWConv2d(512, 64, 3, reduction=16, min_hidden=40).attention.hidden.out_channels == 40
    dense = AWConv2d(8, 6, 3, groups=2, attention='dense')
    assert dense.attention.logits.out_channels == 6 * 4


def test_built_by_mmcv_registry():
    conv = build_conv_layer(dict(type='AWConv', reduction=8), 64, 64, 3, padding=1)
    assert isinstance(conv, AWConv2d)
    assert conv.attention.hidden.out_channels == 8 and conv.padding == (1, 1)


@pytest.mark.parametrize('kwargs,field', [
    (dict(reduction=0), 'reduction'),
    (dict(min_hidden=0), 'min_hidden'),
    (dict(attention='softmax'), 'attention'),
    (dict(groups=3), 'groups'),
])
def test_bad_arguments_raise_value_error_naming_them(kwargs, field):
    with pytest.raises(ValueError, match=field):
        AWConv2d(8, 8, 3, **kwargs)


def test_channels_last_input_gives_same_result():
    torch.manual_seed(2)
    conv = AWConv2d(8, 8, 3, padding=1)
    randomise_attention(conv)
    x = torch.randn(2, 8, 10, 12)
    expected = conv(x)
    out = conv(x.contiguous(memory_format=torch.channels_last))
    torch.testing.assert_close(out, expected, rtol=1e-5, atol=1e-5)


def test_bf16_autocast_on_cpu_close_to_fp32():
    torch.manual_seed(3)
    conv = AWConv2d(16, 16, 3, padding=1)
    randomise_attention(conv)
    x = torch.randn(2, 16, 12, 12)
    expected = conv(x)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        out = conv(x)
    assert out.dtype == torch.bfloat16
    torch.testing.assert_close(out.float(), expected, rtol=0.05, atol=0.1)


def test_attention_survives_parent_kaiming_init():
    from mmengine.model import BaseModule

    class Parent(BaseModule):
        def __init__(self):
            super().__init__(init_cfg=dict(type='Kaiming', layer='Conv2d'))
            self.conv = AWConv2d(8, 8, 3, padding=1)

    parent = Parent()
    parent.init_weights()
    x = torch.randn(2, 8, 6, 6)
    assert torch.equal(parent.conv.attention(x), torch.ones(2, 8, 8, 3, 3))


@pytest.mark.parametrize('path', ['grouped', 'matmul'])
@pytest.mark.parametrize('case', CASES[:4] + CASES[6:])
def test_both_per_sample_paths_match_reference(path, case):
    """Small test inputs pick the matmul path by default; force each path explicitly."""
    from aw_mmdet.ops.functional import per_sample_conv
    cin, cout, k, s, p, d, g, b = case
    gen = torch.Generator().manual_seed(7)
    conv = AWConv2d(cin, cout, k, stride=s, padding=p, dilation=d, groups=g, bias=b,
                    reduction=2, min_hidden=3).double()
    randomise_attention(conv, gen)
    x = torch.randn(3, cin, 11, 9, generator=gen, dtype=torch.float64)
    weights = conv.weight.unsqueeze(0) * conv.attention(x)
    out = per_sample_conv(x, weights, conv.bias, conv.stride, conv.padding, conv.dilation,
                          conv.groups, path=path)
    torch.testing.assert_close(out, reference_aw_conv(conv, x))
