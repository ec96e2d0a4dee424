"""The benchmark's parts: every conv variant is a drop-in 3x3 conv, variants of a case share
their common weights, the interleaved timing gives every variant every position (what makes the
ratios fair), the step memory counts what a step allocates, and CPU AMP autocasts the features."""
import pytest
import torch
import torch.nn as nn

from experiments.benchmark.cases import CONV_PEERS, Case
from experiments.benchmark.memory import step_peak_mib
from experiments.benchmark.models import (
    CPUAutocastOptimWrapper,
    autocast_features,
    build,
    wrapper_config,
)
from experiments.benchmark.timing import paired_ratios, time_many
from experiments.benchmark.variants import conv_variant


@pytest.mark.parametrize('stride', [1, 2])
@pytest.mark.parametrize('name', CONV_PEERS)
def test_conv_variant_replaces_a_3x3_conv(name, stride):
    peer = conv_variant(name, 16, stride)
    x = torch.randn(2, 16, 9, 11, requires_grad=True)
    out = peer(x)
    assert out.shape == nn.Conv2d(16, 16, 3, stride, 1)(x).shape
    out.sum().backward()
    assert x.grad is not None and torch.isfinite(x.grad).all()


def test_variants_share_the_conv_and_aw_attention_is_not_the_identity():
    case = Case('c', 'conv', 'train', (8, 8), 2, ('stock', 'aw', 'dcnv2'), channels=16)
    convs = {v: build(case, v).model.backbone.conv for v in case.variants}
    assert torch.equal(convs['stock'].weight, convs['aw'].weight)
    assert torch.equal(convs['stock'].weight, convs['dcnv2'].weight)
    x = torch.randn(2, 16, 8, 8)
    with torch.no_grad():  # a trained-looking attention changes the output
        assert not torch.allclose(convs['aw'](x), convs['stock'](x), atol=1e-3)


def test_time_many_rotates_the_order():
    calls = []
    fns = {name: (lambda name=name: calls.append(name)) for name in 'abc'}
    stats = time_many(fns, reps=3, warmup=0)
    assert calls == list('abc' 'bca' 'cab')
    assert all(s['n'] == 3 and len(s['times']) == 3 for s in stats.values())


def test_paired_ratios_divide_within_each_repetition():
    stats = {'stock': dict(times=[1.0, 2.0, 4.0]), 'aw': dict(times=[1.5, 2.0, 2.0])}
    r = paired_ratios(stats, 'stock')
    assert r['stock'] == dict(median=1.0, min=1.0, max=1.0, n=3)
    assert (r['aw']['median'], r['aw']['min'], r['aw']['max']) == (1.0, 0.5, 1.5)


def test_step_peak_counts_what_the_step_allocates():
    def allocate_64_mib():
        torch.ones(64 * 2 ** 20 // 4)  # float32, written (so resident)

    assert 60 <= step_peak_mib(allocate_64_mib, 'cpu') <= 80


def test_amp_wrapper_config_per_device():
    cfg = dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.02), clip_grad=None)
    assert wrapper_config(cfg)['optimizer']['lr'] == 0.0 and cfg['optimizer']['lr'] == 0.02
    assert wrapper_config(cfg, 'cuda', amp=True)['type'] == 'AmpOptimWrapper'
    assert wrapper_config(cfg, 'cuda', amp=True)['dtype'] == 'float16'
    assert wrapper_config(cfg, 'cpu', amp=True)['type'] is CPUAutocastOptimWrapper


def test_cpu_amp_autocasts_the_backbone_and_hands_on_float32():
    case = Case('c', 'conv', 'train', (8, 8), 2, ('stock', 'aw'), channels=16)
    model = build(case, 'aw').model
    seen = []
    model.backbone.conv.register_forward_hook(lambda m, a, out: seen.append(out.dtype))
    with autocast_features(model):
        out = model.backbone(torch.randn(2, 16, 8, 8))
    assert seen == [torch.bfloat16] and out.dtype == torch.float32
    model.backbone(torch.randn(2, 16, 8, 8))  # the hooks are gone, autocast is off
    assert seen[-1] == torch.float32 and not torch.is_autocast_enabled('cpu')


def test_condconv_matches_a_per_sample_loop():
    import torch.nn.functional as F

    from experiments.benchmark.condconv import CondConv2d
    torch.manual_seed(0)
    conv = CondConv2d(6, 5, 3, stride=2, padding=1, bias=True, num_experts=4)
    with torch.no_grad():
        conv.bias.normal_()
    x, routing = torch.randn(3, 6, 9, 8), torch.rand(3, 4)
    experts = conv.weight.view(4, 5, 6, 3, 3)
    expected = torch.cat([
        F.conv2d(x[n:n + 1], torch.einsum('e,eoikl->oikl', routing[n], experts),
                 routing[n] @ conv.bias, 2, 1) for n in range(3)])
    torch.testing.assert_close(conv(x, routing), expected, rtol=1e-5, atol=1e-5)
