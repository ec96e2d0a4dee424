"""mmengine's FLOP analysis of AWConv2d agrees with the closed-form counts of docs/aw_conv.md."""
import pytest
import torch

import aw_mmdet  # noqa: F401
from aw_mmdet import AWConv2d
from experiments.benchmark.flops import count_flops


@pytest.mark.parametrize('mode', ['factorized', 'dense'])
@pytest.mark.parametrize('batch,hw', [(1, (20, 24)), (2, (20, 24)), (2, (40, 48))])
def test_traced_flops_match_formula(mode, batch, hw):
    conv = AWConv2d(64, 128, 3, padding=1, stride=2, groups=2, attention=mode)
    result = count_flops(conv, (torch.zeros(batch, 64, *hw),))
    ho, wo = (hw[0] + 1) // 2, (hw[1] + 1) // 2
    conv_macs = batch * 128 * 32 * 9 * ho * wo
    extra = conv.extra_flops(hw, batch=batch)
    assert result['traced'] == conv_macs + extra['pool'] + extra['hidden'] + extra['logits']
    assert result['aw_elementwise'] == extra['gate'] + extra['modulation']
    # the hand count, independently: hidden is C*h per kernel position, h = max(64 // 16, 8)
    assert extra['hidden'] == batch * 9 * 64 * 8
    expected_logits = 9 * 8 * (128 + 32) if mode == 'factorized' else 9 * 8 * 128 * 32
    assert extra['logits'] == batch * expected_logits
