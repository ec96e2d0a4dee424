"""AW wherever mmdet builds a conv (issue 13): conv_cfg in ResNet, FPN and heads, stock conv_cfg
types, positional depth, the Runner's efficient_conv_bn_eval, other backbones (issue 14).

Each AW model is compared with the stock model of the same config after both ran their own
``init_weights`` and the stock weights were loaded into the AW one: if any parent init had moved
the attention off identity, the attention keys (absent from the stock state dict) would keep that
and the outputs would differ.
"""
import pytest
import torch
import torch.nn as nn
from mmdet.registry import MODELS
from mmdet.utils import register_all_modules

import aw_mmdet  # noqa: F401
from aw_mmdet import AWConv2d, AWConvWS2d
from aw_reference import randomise_attention, reference_aw_conv

register_all_modules()


def _load_stock_into_aw(stock, aw):
    """Stock weights into the AW model; only attention keys may be missing."""
    result = aw.load_state_dict(stock.state_dict(), strict=False)
    assert result.unexpected_keys == []
    assert result.missing_keys and all('.attention.' in f'.{k}' for k in result.missing_keys)


def _built_pair(stock_cfg, aw_cfg, seed=0):
    torch.manual_seed(seed)
    stock = MODELS.build(stock_cfg)
    stock.init_weights()
    aw = MODELS.build(aw_cfg)
    aw.init_weights()
    _load_stock_into_aw(stock, aw)
    stock.eval()  # not chained: mmdet's ResNet.train returns None
    aw.eval()
    return stock, aw


def _aw_convs(model):
    return [m for m in model.modules() if isinstance(m, AWConv2d)]


def _assert_all_identity(model, x_channels=None):
    convs = _aw_convs(model)
    assert convs
    for conv in convs:
        for layer in conv.attention.logit_layers():
            assert not layer.weight.any() and not layer.bias.any()


def _assert_same_outputs(stock_out, aw_out):
    if isinstance(stock_out, torch.Tensor):
        torch.testing.assert_close(aw_out, stock_out, rtol=1e-5, atol=1e-5)
        return
    assert len(stock_out) == len(aw_out)
    for s, a in zip(stock_out, aw_out):
        _assert_same_outputs(s, a)


RESNET = dict(type='ResNet', depth=18, norm_eval=False, out_indices=(0, 1, 2, 3))


@pytest.mark.parametrize('extra', [dict(), dict(deep_stem=True, avg_down=True)])
def test_resnet_with_aw_conv_cfg_everywhere_starts_as_stock(extra):
    """Stem, downsample and block convs all AW; ResNet's Kaiming init must not touch A."""
    stock, aw = _built_pair(dict(RESNET, **extra), dict(RESNET, conv_cfg=dict(type='AWConv'),
                                                         **extra))
    assert isinstance(aw.layer2[0].downsample[-2 if extra else 0], AWConv2d)
    _assert_all_identity(aw)
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        _assert_same_outputs(stock(x), aw(x))


FPN = dict(type='FPN', in_channels=[8, 16, 32], out_channels=8, num_outs=4)


def test_fpn_with_aw_conv_cfg_starts_as_stock():
    """FPN's Xavier init_cfg on 'Conv2d' used to hit the attention's logit layers."""
    stock, aw = _built_pair(FPN, dict(FPN, conv_cfg=dict(type='AWConv', reduction=2)))
    _assert_all_identity(aw)
    feats = [torch.randn(2, c, s, s) for c, s in ((8, 32), (16, 16), (32, 8))]
    with torch.no_grad():
        _assert_same_outputs(stock(feats), aw(feats))


RETINA = dict(type='RetinaHead', num_classes=3, in_channels=8, feat_channels=8, stacked_convs=2,
              anchor_generator=dict(type='AnchorGenerator', octave_base_scale=4,
                                    scales_per_octave=3, ratios=[0.5, 1.0, 2.0],
                                    strides=[8, 16]))


def test_retina_head_with_aw_conv_cfg_starts_as_stock():
    """The head's Normal(layer='Conv2d') init_cfg must leave the attention at identity."""
    stock, aw = _built_pair(RETINA, dict(RETINA, conv_cfg=dict(type='AWConv', reduction=2)))
    _assert_all_identity(aw)
    feats = (torch.randn(2, 8, 16, 16), torch.randn(2, 8, 8, 8))
    with torch.no_grad():
        _assert_same_outputs(stock(feats), aw(feats))


def test_aw_conv_in_sequential_survives_isinstance_init_loop():
    """The pattern of many heads' init_weights: every nn.Conv2d gets normal_init."""
    from mmengine.model import normal_init
    seq = nn.Sequential(AWConv2d(4, 4, 3, padding=1), nn.ReLU(), AWConv2d(4, 4, 3, padding=1))
    for m in seq.modules():
        if isinstance(m, nn.Conv2d):
            normal_init(m, std=0.5)
    for conv in _aw_convs(seq):
        x = torch.randn(2, 4, 5, 5)
        assert torch.equal(conv.attention(x), torch.ones(2, 4, 4, 3, 3))


@pytest.mark.parametrize('conv_type', ['Conv', 'Conv2d', 'ConvWS'])
def test_aw_resnet_takes_stock_conv_cfg_types(conv_type):
    cfg = dict(RESNET, conv_cfg=dict(type=conv_type))
    stock, aw = _built_pair(cfg, dict(cfg, type='AWResNet'))
    expected = AWConvWS2d if conv_type == 'ConvWS' else AWConv2d
    assert type(aw.layer2[0].conv2) is expected
    assert type(aw.layer2[0].conv1) is type(stock.layer2[0].conv1)
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        _assert_same_outputs(stock(x), aw(x))


def test_aw_conv_ws_matches_reference_off_identity():
    gen = torch.Generator().manual_seed(4)
    conv = AWConvWS2d(4, 6, 3, padding=1, reduction=2, eps=1e-5, dtype=torch.float64)
    randomise_attention(conv, gen)
    w = conv.weight
    mean = w.mean(dim=(1, 2, 3), keepdim=True)
    std = w.std(dim=(1, 2, 3), keepdim=True)
    x = torch.randn(2, 4, 7, 7, generator=gen, dtype=torch.float64)
    standardized = (w - mean) / (std + 1e-5)
    torch.testing.assert_close(conv(x), reference_aw_conv(conv, x, weight=standardized))


def test_aw_resnet_refuses_conv_types_it_cannot_wrap():
    with pytest.raises(ValueError, match='ConvAWS2d'):
        MODELS.build(dict(RESNET, type='AWResNet', conv_cfg=dict(type='ConvAWS')))


def test_positional_depth_as_mmdet_tests_build_resnets():
    from mmdet.models.backbones import ResNet

    from aw_mmdet import AWResNet
    aw = AWResNet(50)
    assert aw.depth == 50 and isinstance(aw.layer3[0].conv2, AWConv2d)
    _load_stock_into_aw(ResNet(50), aw)
    assert AWResNet(18, 4).conv1.in_channels == 4  # positional in_channels too


def test_runner_key_efficient_conv_bn_eval_on_aw_backbone(tmp_path):
    """mmengine's Runner option traces the backbone with torch.fx and fuses conv+BN pairs; the
    fused AW backbone must compute what the eager one does, off identity."""
    from mmengine.model.efficient_conv_bn_eval import turn_on_efficient_conv_bn_eval
    torch.manual_seed(1)
    cfg = dict(type='AWResNet', depth=18, norm_eval=True, stage_with_aw=(True, True, True, True))
    eager = MODELS.build(cfg).double()
    gen = torch.Generator().manual_seed(2)
    for conv in _aw_convs(eager):
        randomise_attention(conv, gen, scale=0.1)
    for m in eager.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_var.uniform_(0.5, 2.0, generator=gen)
            m.running_mean.normal_(0, 0.2, generator=gen)
    wrapper = nn.Module()
    wrapper.backbone = MODELS.build(cfg).double()
    wrapper.backbone.load_state_dict(eager.state_dict())
    turn_on_efficient_conv_bn_eval(wrapper, ['backbone'])
    x = torch.randn(2, 3, 48, 48, generator=gen, dtype=torch.float64)
    for mode in ('train', 'eval'):  # norm_eval keeps BN in eval even in train mode
        getattr(eager, mode)()
        getattr(wrapper.backbone, mode)()
        with torch.no_grad():
            _assert_same_outputs(eager(x), wrapper.backbone(x))


@pytest.mark.parametrize('stock_cfg', [
    dict(type='ResNeXt', depth=50, groups=4, base_width=4, base_channels=16),
    dict(type='ResNetV1d', depth=50, base_channels=16),
])
def test_other_resnet_family_backbones_start_as_stock(stock_cfg):
    stock, aw = _built_pair(stock_cfg, dict(stock_cfg, type='AW' + stock_cfg['type']))
    assert not any(isinstance(m, AWConv2d) for m in aw.layer1.modules())
    convs = _aw_convs(aw)
    assert len(convs) == 4 + 6 + 3  # one per block in stages 2-4 of a depth-50 net
    assert all(conv.groups == stock_cfg.get('groups', 1) for conv in convs)
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        _assert_same_outputs(stock(x), aw(x))


def test_pure_config_route_through_resnet_dcn_argument():
    """No AW backbone class: the stock ResNet builds conv2 from ``dcn`` (Bottleneck only)."""
    stock_cfg = dict(type='ResNet', depth=50, base_channels=16)
    aw_cfg = dict(stock_cfg, dcn=dict(type='AWConv', reduction=4),
                  stage_with_dcn=(False, True, True, True))
    stock, aw = _built_pair(stock_cfg, aw_cfg)
    assert isinstance(aw.layer2[0].conv2, AWConv2d) and aw.layer2[0].conv2.reduction == 4
    assert not isinstance(aw.layer1[0].conv2, AWConv2d)
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        _assert_same_outputs(stock(x), aw(x))


def test_aw_block_refuses_a_class_without_resnet_conv2():
    from aw_mmdet import aw_block
    with pytest.raises(ValueError, match='BasicBlock or Bottleneck'):
        aw_block(nn.Conv2d)


def test_recording_attention_sees_every_aw_conv_with_its_own_input():
    from aw_mmdet.ops import aw_convs, recording_attention
    from aw_reference import reference_attention
    model = MODELS.build(dict(type='AWResNet', depth=18, stage_with_aw=(False, False, True, True)))
    gen = torch.Generator().manual_seed(3)
    for conv in aw_convs(model).values():
        randomise_attention(conv, gen, scale=0.2)
    inputs, maps = {}, {}
    hooks = [conv.register_forward_pre_hook(lambda m, a, n=name: inputs.setdefault(n, a[0]))
             for name, conv in aw_convs(model).items()]
    model.eval()
    with recording_attention(model, maps.__setitem__):
        model(torch.randn(2, 3, 64, 64, generator=gen))
    for h in hooks:
        h.remove()
    assert list(maps) == ['layer3.0.conv2', 'layer3.1.conv2', 'layer4.0.conv2', 'layer4.1.conv2']
    for name, conv in aw_convs(model).items():
        torch.testing.assert_close(maps[name], reference_attention(conv, inputs[name]))
    with pytest.raises(ValueError, match='layer9'):
        with recording_attention(model, print, names=['layer9.0.conv2']):
            pass
