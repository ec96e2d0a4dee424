"""AWResNet: registry, placement of AW, stock-compatible state dict, pretrained loading,
freezing."""
import pytest
import torch
from mmdet.models.backbones import ResNet
from mmdet.registry import MODELS

import aw_mmdet  # noqa: F401
from aw_mmdet import AWConv2d, AWResNet


def _aw_convs(model):
    return {n: m for n, m in model.named_modules() if isinstance(m, AWConv2d)}


@pytest.mark.parametrize('depth,blocks', [(18, (2, 2, 2, 2)), (34, (3, 4, 6, 3)),
                                          (50, (3, 4, 6, 3)), (101, (3, 4, 23, 3)),
                                          (152, (3, 8, 36, 3))])
def test_aw_on_conv2_of_every_block_in_aw_stages_only(depth, blocks):
    model = MODELS.build(dict(type='AWResNet', depth=depth))
    expected = {f'layer{s + 1}.{b}.conv2' for s in range(1, 4) for b in range(blocks[s])}
    assert set(_aw_convs(model)) == expected


def test_state_dict_adds_only_attention_keys():
    stock = ResNet(depth=50)
    aw = AWResNet(depth=50, stage_with_aw=(True, True, True, True))
    stock_keys, aw_keys = set(stock.state_dict()), set(aw.state_dict())
    assert stock_keys <= aw_keys
    extra = aw_keys - stock_keys
    assert extra and all('.conv2.attention.' in k for k in extra)
    for k in stock_keys:
        assert stock.state_dict()[k].shape == aw.state_dict()[k].shape, k


@pytest.mark.parametrize('depth', [18, 50])
def test_pretrained_stock_weights_give_stock_outputs(tmp_path, depth):
    torch.manual_seed(0)
    stock = ResNet(depth=depth, norm_eval=False)
    stock.init_weights()
    # non-trivial BN statistics so the comparison means something
    for m in stock.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.1, 0.1)
            m.running_var.uniform_(0.5, 1.5)
            m.weight.data.uniform_(0.5, 1.5)
    ckpt = tmp_path / 'resnet.pth'
    torch.save(stock.state_dict(), ckpt)
    aw = MODELS.build(dict(type='AWResNet', depth=depth,
                           init_cfg=dict(type='Pretrained', checkpoint=str(ckpt))))
    aw.init_weights()
    stock.eval(), aw.eval()
    stock.double(), aw.double()  # float64: equal up to rounding, whatever the summation order
    x = torch.randn(2, 3, 64, 96, dtype=torch.float64)
    with torch.no_grad():
        for a, b in zip(aw(x), stock(x)):
            torch.testing.assert_close(a, b, rtol=1e-9, atol=1e-9)


def test_default_kaiming_init_keeps_attention_at_identity():
    model = AWResNet(depth=18)
    model.init_weights()
    x = torch.randn(1, 128, 10, 10)
    conv = model.layer2[1].conv2
    assert conv.attention.hidden.weight.abs().sum() > 0  # kaiming did reach the hidden layer
    assert torch.equal(conv.attention(x), torch.ones(1, 128, 128, 3, 3))


def test_frozen_stages_freeze_attention_too():
    model = AWResNet(depth=18, frozen_stages=2)
    model.train()
    for name, p in model.named_parameters():
        frozen = name.startswith(('conv1.', 'bn1.', 'layer1.', 'layer2.'))
        assert p.requires_grad != frozen, name
    assert not model.layer2.training and model.layer3.training


def test_with_cp_and_caffe_style_forward_and_backward():
    model = AWResNet(depth=50, with_cp=True, style='caffe', norm_eval=False)
    model.train()
    out = model(torch.randn(2, 3, 64, 64, requires_grad=True))
    sum(o.sum() for o in out).backward()
    att = model.layer3[0].conv2.attention.out_logits.weight
    assert att.grad is not None


def test_aw_kwargs_reach_every_aw_conv():
    model = AWResNet(depth=18, aw=dict(reduction=4, attention='dense'))
    conv = model.layer4[0].conv2
    assert conv.attention_mode == 'dense' and conv.reduction == 4
    assert conv.stride == (1, 1) and model.layer4[0].conv1.stride == (2, 2)


@pytest.mark.parametrize('kwargs,match', [
    (dict(stage_with_aw=(True, True)), 'stage_with_aw'),
    (dict(aw=dict(reduction=4, ratio=2)), 'ratio'),
    (dict(dcn=dict(type='DCNv2', deform_groups=1), stage_with_dcn=(False, False, True, True)),
     'dcn'),
])
def test_bad_arguments_raise_value_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        MODELS.build(dict(type='AWResNet', depth=50, **kwargs))


@pytest.mark.parametrize('backbone', ['ResNet', 'AWResNet'])
@pytest.mark.parametrize('plugin', ['SEBlock', 'CBAMBlock'])
def test_se_and_cbam_plugins_on_resnet_and_awresnet(backbone, plugin):
    model = MODELS.build(dict(type=backbone, depth=50, plugins=[
        dict(cfg=dict(type=plugin), stages=(False, True, True, True), position='after_conv3')]))
    model.init_weights()
    names = [n for n, _ in model.named_modules()]
    abbr = 'se_block' if plugin == 'SEBlock' else 'cbam_block'
    assert f'layer2.0.{abbr}' in names and f'layer1.0.{abbr}' not in names
    outs = model(torch.randn(1, 3, 64, 64))
    assert [o.shape[1] for o in outs] == [256, 512, 1024, 2048]
