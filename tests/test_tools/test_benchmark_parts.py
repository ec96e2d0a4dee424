"""The benchmark's parts: variants of a case share their common weights, the interleaved timing
gives every variant every position (what makes the ratios fair), the step memory counts what a
step allocates, and AMP is CUDA's AmpOptimWrapper."""
import pytest
import torch

from experiments.benchmark.cases import Case
from experiments.benchmark.memory import step_peak_mib
from experiments.benchmark.models import build, wrapper_config
from experiments.benchmark.timing import paired_ratios, time_many

#: a ResNet-18 backbone alone: the smallest case with AW (stages 2-4, as the R101 config)
SMALL = Case('c', 'backbone', 'train', (32, 32), 2, ('stock', 'aw'), depth=18)


def test_variants_share_their_weights_and_aw_attention_is_not_the_identity():
    convs = {v: build(SMALL, v).model.backbone.layer3[0].conv2 for v in SMALL.variants}
    assert type(convs['aw']).__name__ == 'AWConv2d'
    assert torch.equal(convs['stock'].weight, convs['aw'].weight)
    x = torch.randn(2, 256, 2, 2)
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
    with pytest.raises(ValueError, match='needs a CUDA device'):
        wrapper_config(cfg, 'cpu', amp=True)
