"""The benchmark's peers are drop-in replacements of one 3x3 conv, and the interleaved timing gives
every callable every position in the loop (what makes the ratios fair)."""
import pytest
import torch
import torch.nn as nn

from experiments.benchmark.op_memory_probe import step_peak_mib
from experiments.benchmark.peers import OP_PEERS, PeerUnavailable, build_peer
from experiments.benchmark.timing import time_many, time_pair
from helpers import timm_usable


@pytest.mark.parametrize('stride', [1, 2])
@pytest.mark.parametrize('name', OP_PEERS)
def test_peer_replaces_a_3x3_conv(name, stride):
    try:
        peer = build_peer(name, 16, stride)
    except PeerUnavailable as why:
        assert name == 'condconv4' and 'timm' in str(why) and not timm_usable()
        return
    x = torch.randn(2, 16, 9, 11, requires_grad=True)
    out = peer(x)
    assert out.shape == nn.Conv2d(16, 16, 3, stride, 1)(x).shape
    out.sum().backward()
    assert x.grad is not None and torch.isfinite(x.grad).all()


def test_peers_other_than_condconv_need_no_optional_package():
    for name in OP_PEERS:
        if name != 'condconv4':
            build_peer(name, 16, 1)


def test_time_many_rotates_the_order():
    calls = []
    fns = {name: (lambda name=name: calls.append(name)) for name in 'abc'}
    stats = time_many(fns, reps=3, warmup=0)
    assert calls == list('abc' 'bca' 'cab')
    assert all(s['n'] == 3 for s in stats.values())


def test_time_pair_keeps_its_alternating_order():
    calls = []
    time_pair(lambda: calls.append('stock'), lambda: calls.append('aw'), reps=2, warmup=1)
    assert calls == ['stock', 'aw', 'stock', 'aw', 'aw', 'stock']


def test_step_peak_counts_what_the_step_allocates():
    def allocate_64_mib():
        torch.ones(64 * 2 ** 20 // 4)  # float32, written (so resident)

    assert 60 <= step_peak_mib(allocate_64_mib, 'cpu') <= 80


def test_fallback_condconv_matches_a_per_sample_loop():
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
