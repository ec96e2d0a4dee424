"""Fuzzing AWConv2d (hypothesis): for any arguments and input, the result equals the independent
per-sample reference (tests/aw_reference.py), or the call raises ValueError; never another
exception. ValueError is also checked to be *deserved*: either torch's own Conv2d/F.conv2d refuses
the same case, or it breaks one of AWConv2d's documented extra rules."""
import collections

import torch
import torch.nn as nn
import torch.nn.functional as F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aw_mmdet import AWConv2d
from aw_reference import randomise_attention, reference_aw_conv

MAX_EXAMPLES = 400
OUTCOMES = collections.Counter()

_pair = st.one_of(st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3)))
# Values that break one argument: out of range or of the wrong type.
BAD_VALUES = dict(
    in_channels=[0, -2, 2.0, None], out_channels=[0, -1, '4', None], groups=[0, -1, 3, 5, True],
    kernel_size=[0, (0, 2), -1, (1, 2, 3), 1.5], stride=[0, (1, 0), -1, None],
    padding=[-1, (0, -2), 'full', 0.5], dilation=[0, (2, 0), None],
    reduction=[0, -3, 2.5, None], min_hidden=[0, '8'], attention=['other', None, 'Dense'])


@st.composite
def cases(draw):
    """Mostly valid arguments (so both outcomes are common), some with one field broken, and
    inputs that are mostly valid (channels, 4-D, N >= 1) but may be too small for the kernel."""
    groups = draw(st.integers(1, 3))
    args = dict(
        in_channels=groups * draw(st.integers(1, 3)), out_channels=groups * draw(st.integers(1, 3)),
        kernel_size=draw(_pair), stride=draw(_pair), dilation=draw(_pair),
        padding=draw(st.one_of(st.integers(0, 2), st.tuples(st.integers(0, 2), st.integers(0, 2)),
                               st.sampled_from(['same', 'valid']))),
        groups=groups, bias=draw(st.booleans()), reduction=draw(st.integers(1, 8)),
        min_hidden=draw(st.integers(1, 4)),
        attention=draw(st.sampled_from(['factorized', 'dense'])))
    if draw(st.integers(0, 2)) == 0:
        field = draw(st.sampled_from(sorted(BAD_VALUES)))
        args[field] = draw(st.sampled_from(BAD_VALUES[field]))
    channels = args['in_channels'] if isinstance(args['in_channels'], int) else 2
    if draw(st.integers(0, 15)) == 0:
        channels += 1  # input with the wrong channel count
    shape = (draw(st.integers(1, 3)) if draw(st.integers(0, 15)) else 0, max(channels, 1),
             draw(st.integers(1, 9)), draw(st.integers(1, 9)))
    if draw(st.integers(0, 19)) == 0:
        shape = shape[1:]  # 3-D input
    return args, shape


def torch_accepts(args, x):
    """Does stock torch take this case (plain Conv2d weights)?"""
    try:
        conv = nn.Conv2d(args['in_channels'], args['out_channels'], args['kernel_size'],
                         args['stride'], args['padding'], args['dilation'], args['groups'],
                         args['bias']).double()
        F.conv2d(x, conv.weight, conv.bias, conv.stride, conv.padding, conv.dilation, conv.groups)
        return True
    except Exception:  # noqa: BLE001 - any refusal by torch counts
        return False


def breaks_aw_rule(args, x):
    """AWConv2d's rules beyond torch's: documented in aw_mmdet/ops/aw_conv.py (check_aw_args)."""
    def bad_int(v, minimum):
        return not isinstance(v, int) or isinstance(v, bool) or v < minimum
    return (bad_int(args['reduction'], 1) or bad_int(args['min_hidden'], 1)
            or args['attention'] not in ('factorized', 'dense')
            or bad_int(args['in_channels'], 1) or bad_int(args['out_channels'], 1)
            or any(isinstance(args[k], bool) or (isinstance(args[k], tuple) and any(
                isinstance(v, bool) for v in args[k]))
                for k in ('kernel_size', 'stride', 'padding', 'dilation', 'groups'))
            or x.dim() != 4)


@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_awconv_matches_reference_or_raises_value_error(case):
    args, shape = case
    x = torch.randn(*shape, generator=torch.Generator().manual_seed(len(OUTCOMES)),
                    dtype=torch.float64)
    try:
        conv = AWConv2d(**args).double()
        randomise_attention(conv, torch.Generator().manual_seed(1))
        out = conv(x)
    except ValueError as err:
        OUTCOMES['ValueError'] += 1
        assert str(err).startswith('AWConv2d:'), err
        assert not torch_accepts(args, x) or breaks_aw_rule(args, x), (args, shape, err)
        return
    OUTCOMES['result'] += 1
    torch.testing.assert_close(out, reference_aw_conv(conv, x))


def test_fuzzing_ran_both_outcomes():
    """Runs after the fuzz test (file order): both outcomes must be well represented."""
    print(f'AWConv2d fuzz cases: {dict(OUTCOMES)}')
    assert sum(OUTCOMES.values()) >= MAX_EXAMPLES * 0.9
    assert OUTCOMES['result'] >= 50 and OUTCOMES['ValueError'] >= 50
