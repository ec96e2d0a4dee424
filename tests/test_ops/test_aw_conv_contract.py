"""AWConv2d keeps nn.Conv2d's contract where torch, mmcv and mmengine use a conv (issue 13).

Each test builds the situation as the stock library does and compares against the independent
reference (tests/aw_reference.py) with the attention moved off identity, or against the stock
module with the same weights.
"""
import inspect

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmengine.model.efficient_conv_bn_eval import (
    efficient_conv_bn_eval_graph_transform,
    turn_on_efficient_conv_bn_eval,
)

from aw_mmdet import AWConv2d
from aw_reference import randomise_attention, reference_aw_conv


def _random_bn(channels, gen):
    bn = nn.BatchNorm2d(channels).double()
    with torch.no_grad():
        bn.running_mean.copy_(torch.randn(channels, generator=gen, dtype=torch.float64))
        bn.running_var.copy_(torch.rand(channels, generator=gen, dtype=torch.float64) + 0.5)
        bn.weight.copy_(torch.randn(channels, generator=gen, dtype=torch.float64))
        bn.bias.copy_(torch.randn(channels, generator=gen, dtype=torch.float64))
    return bn.eval()


def test_every_conv2d_keyword_is_accepted():
    stock = set(inspect.signature(nn.Conv2d).parameters)
    assert stock <= set(inspect.signature(AWConv2d).parameters)
    conv = AWConv2d(4, 6, 3, 1, 1, 1, 1, True, 'zeros', device='cpu', dtype=torch.float64)
    assert all(p.dtype == torch.float64 for p in conv.parameters())  # attention included
    assert conv.padding_mode == 'zeros'


@pytest.mark.parametrize('padding_mode', ['zeros', 'reflect', 'replicate', 'circular'])
@pytest.mark.parametrize('batch', [1, 3])
def test_padding_modes_match_reference(padding_mode, batch):
    gen = torch.Generator().manual_seed(11)
    conv = AWConv2d(4, 6, 3, stride=2, padding=(1, 2), padding_mode=padding_mode, reduction=2,
                    min_hidden=3, dtype=torch.float64)
    randomise_attention(conv, gen)
    x = torch.randn(batch, 4, 9, 8, generator=gen, dtype=torch.float64)
    torch.testing.assert_close(conv(x), reference_aw_conv(conv, x))


def test_padding_modes_equal_stock_conv_at_identity():
    for mode in ('reflect', 'replicate', 'circular'):
        stock = nn.Conv2d(4, 6, 3, padding=1, padding_mode=mode)
        aw = AWConv2d.from_conv(stock)
        x = torch.randn(2, 4, 7, 7)
        torch.testing.assert_close(aw(x), stock(x))


def test_bad_padding_mode_is_value_error_naming_it():
    with pytest.raises(ValueError, match='padding_mode'):
        AWConv2d(4, 4, 3, padding_mode='mirror')


def test_empty_batch_gives_empty_output_like_conv2d():
    conv = AWConv2d(4, 6, 3, padding=1)
    x = torch.zeros(0, 4, 5, 5)
    assert conv(x).shape == nn.Conv2d(4, 6, 3, padding=1)(x).shape == (0, 6, 5, 5)


@pytest.mark.parametrize('mode', ['factorized', 'dense'])
def test_trace_at_batch_1_runs_at_other_batches(mode):
    gen = torch.Generator().manual_seed(5)
    conv = AWConv2d(8, 8, 3, stride=2, padding=1, groups=2, reduction=2, attention=mode).eval()
    randomise_attention(conv, gen)
    with torch.no_grad():
        traced = torch.jit.trace(conv, torch.randn(1, 8, 12, 10, generator=gen))
        for batch in (2, 3):
            x = torch.randn(batch, 8, 12, 10, generator=gen)
            torch.testing.assert_close(traced(x), conv(x), rtol=1e-5, atol=1e-5)
            # each sample its own attention: the per-sample loop, not sample 0's map for all
            torch.testing.assert_close(traced(x), reference_aw_conv(conv, x), rtol=1e-5,
                                       atol=1e-5)


def test_trace_at_large_map_batch_2_runs_at_batch_1_and_3():
    """Large maps take the grouped path in eager mode; a trace must not freeze its N * g."""
    gen = torch.Generator().manual_seed(6)
    conv = AWConv2d(4, 4, 3, padding=1).eval()
    randomise_attention(conv, gen)
    with torch.no_grad():
        traced = torch.jit.trace(conv, torch.randn(2, 4, 20, 20, generator=gen))
        for batch in (1, 3):
            x = torch.randn(batch, 4, 20, 20, generator=gen)
            torch.testing.assert_close(traced(x), reference_aw_conv(conv, x), rtol=1e-5,
                                       atol=1e-5)


def _conv_module(efficient, gen):
    module = ConvModule(4, 6, 3, padding=1, conv_cfg=dict(type='AWConv', reduction=2),
                        norm_cfg=dict(type='BN'), efficient_conv_bn_eval=efficient).double()
    module.bn = _random_bn(6, gen)
    return module


@pytest.mark.parametrize('efficient', [False, True])
def test_conv_module_eval_with_bn_matches_reference(efficient):
    gen = torch.Generator().manual_seed(3)
    module = _conv_module(efficient, gen).eval()
    randomise_attention(module.conv, gen)
    x = torch.randn(3, 4, 7, 6, generator=gen, dtype=torch.float64)
    bn = module.bn
    expected = F.relu(F.batch_norm(reference_aw_conv(module.conv, x), bn.running_mean,
                                   bn.running_var, bn.weight, bn.bias, False, 0.0, bn.eps))
    torch.testing.assert_close(module(x), expected)


def test_conv_module_inits_aw_conv_as_it_inits_a_plain_conv():
    """ConvModule Kaiming-initialises convs without their own init_weights: AW's included."""
    stock = ConvModule(16, 32, 3, padding=1, norm_cfg=dict(type='BN'))
    aw = ConvModule(16, 32, 3, padding=1, conv_cfg=dict(type='AWConv'), norm_cfg=dict(type='BN'))
    for module in (stock, aw):
        torch.manual_seed(0)
        module.init_weights()
    assert torch.equal(aw.conv.weight, stock.conv.weight)
    x = torch.randn(2, 16, 6, 6)
    torch.testing.assert_close(aw(x), stock(x))


class _ConvBNNet(nn.Module):
    def __init__(self, gen):
        super().__init__()
        self.conv1 = AWConv2d(4, 6, 3, padding=1, reduction=2).double()
        self.bn1 = _random_bn(6, gen)
        self.conv2 = AWConv2d(6, 6, 3, stride=2, padding=1, groups=2, reduction=2,
                              attention='dense').double()
        self.bn2 = _random_bn(6, gen)

    def forward(self, x):
        return self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))


def test_fx_trace_keeps_aw_conv_as_one_module_call_fused_by_mmengine():
    gen = torch.Generator().manual_seed(9)
    net = _ConvBNNet(gen).eval()
    for conv in (net.conv1, net.conv2):
        randomise_attention(conv, gen)
    graph_module = torch.fx.symbolic_trace(net)
    called = [n.target for n in graph_module.graph.nodes if n.op == 'call_module']
    assert called == ['conv1', 'bn1', 'conv2', 'bn2']
    efficient_conv_bn_eval_graph_transform(graph_module)
    assert [n.op for n in graph_module.graph.nodes].count('call_module') == 0  # both pairs fused
    x = torch.randn(2, 4, 8, 8, generator=gen, dtype=torch.float64)
    with torch.no_grad():
        expected = net.bn2(reference_aw_conv(net.conv2, F.relu(net.bn1(
            reference_aw_conv(net.conv1, x)))))
        torch.testing.assert_close(graph_module(x), expected)


def test_mmengine_efficient_conv_bn_eval_equals_eager_in_eval_and_train():
    gen = torch.Generator().manual_seed(10)
    eager = _ConvBNNet(gen)
    for conv in (eager.conv1, eager.conv2):
        randomise_attention(conv, gen)
    fused = _ConvBNNet(gen)
    fused.load_state_dict(eager.state_dict())
    parent = nn.Module()
    parent.net = fused
    turn_on_efficient_conv_bn_eval(parent, ['net'])
    x = torch.randn(2, 4, 8, 8, generator=gen, dtype=torch.float64)
    eager.eval(), fused.eval()
    torch.testing.assert_close(fused(x), eager(x))
    eager.train(), fused.train()  # training BN: conv then BN, still through the AW conv
    torch.testing.assert_close(fused(x), eager(x))


class _CreatedFromConvBN(nn.Module):
    """Two blocks built by ConvModule's own efficient conv-bn constructor, which swaps the conv's
    ``forward`` while it runs."""

    def __init__(self, gen, bn_mode):
        super().__init__()
        self.a = ConvModule.create_from_conv_bn(
            AWConv2d(4, 6, 3, padding=1, reduction=2).double(), _random_bn(6, gen).train(bn_mode))
        self.b = ConvModule.create_from_conv_bn(
            AWConv2d(6, 6, 3, stride=2, padding=1, groups=2, reduction=2,
                     attention='dense').double(), _random_bn(6, gen).train(bn_mode))
        for module in (self.a, self.b):
            randomise_attention(module.conv, gen)

    def forward(self, x):
        return self.b(self.a(x))


@pytest.mark.parametrize('bn_training', [True, False])
def test_runner_efficient_conv_bn_eval_on_convmodule_created_from_conv_bn(bn_training):
    """mmengine's Runner key ``efficient_conv_bn_eval`` fx-traces the model with its BNs in
    training mode, or in eval mode (frozen BNs, ``norm_eval``): there ConvModule swaps the conv's
    forward during the trace. The fused model equals the eager one and the per-sample reference,
    in eval and in training mode. (A plain nn.Conv2d traced with an eval BN loses the BN.)"""
    gen = torch.Generator().manual_seed(12)
    eager = _CreatedFromConvBN(gen, bn_training)
    fused = _CreatedFromConvBN(gen, bn_training)
    fused.load_state_dict(eager.state_dict())
    parent = nn.Module()
    parent.net = fused
    turn_on_efficient_conv_bn_eval(parent, ['net'])
    called = [n.target for n in fused.forward.__self__.graph.nodes if n.op == 'call_module']
    assert called == []  # both conv + bn pairs fused (by mmengine, or recorded fused)
    x = torch.randn(2, 4, 8, 8, generator=gen, dtype=torch.float64)
    eager.eval(), fused.eval()
    with torch.no_grad():
        assert not eager.a.with_activation  # conv + bn only
        expected = eager.b.norm(reference_aw_conv(eager.b.conv, eager.a.norm(
            reference_aw_conv(eager.a.conv, x))))
        torch.testing.assert_close(eager(x), expected)
        torch.testing.assert_close(fused(x), expected)
    eager.train(), fused.train()
    torch.testing.assert_close(fused(x), eager(x))


def test_fx_trace_of_a_foreign_swapped_forward_is_a_clear_error():
    conv = AWConv2d(4, 4, 3, padding=1)
    net = nn.Sequential(conv)
    conv.forward = lambda x: x
    with pytest.raises(RuntimeError, match='forward was replaced'):
        torch.fx.symbolic_trace(net)
