"""Pairs that are pairs: with the same seed, an AW model and its stock twin start with the same
values in every parameter and buffer they share, because building AW draws nothing from the global
RNG (the hidden attention layer has its own generator, the logit layers start at zero).

Built the way mmengine's Runner builds them (registry, then ``init_weights``) from the project's
configs, with the stock twin made by the user's one-line change: the backbone's type."""
import os.path as osp

import pytest
import torch
from mmengine.registry import init_default_scope
from mmengine.utils import import_modules_from_strings

from helpers import DEMO_CONFIG, ROOT, load_config

CLS_CONFIG = osp.join(ROOT, 'configs', 'classification', 'resnet18_digits_cls.py')


def _build(cfg, seed):
    from mmdet.registry import MODELS
    torch.manual_seed(seed)
    model = MODELS.build(cfg.model)
    model.init_weights()
    return model.state_dict()


def _assert_shared_equal(stock, aw):
    shared = sorted(set(stock) & set(aw))
    assert len(shared) == len(stock)  # AW only adds keys
    assert all('.attention.' in key for key in set(aw) - set(stock))
    differ = [key for key in shared if not torch.equal(stock[key], aw[key])]
    assert not differ, f'{len(differ)} of {len(shared)} shared tensors differ, e.g. {differ[:3]}'


def _detector_cfgs(aw_backbone):
    aw = load_config(DEMO_CONFIG)
    aw.model.backbone.update(aw_backbone)
    stock = load_config(DEMO_CONFIG)
    stock.model.backbone.update(aw_backbone)
    stock.model.backbone.type = 'ResNet'
    for key in ('aw', 'stage_with_aw'):
        stock.model.backbone.pop(key, None)
    return stock, aw


@pytest.mark.parametrize('seed', [0, 3])
def test_demo_detector_stock_and_aw_share_their_init(seed):
    init_default_scope('mmdet')
    stock, aw = _detector_cfgs({})
    stock_sd, aw_sd = _build(stock, seed), _build(aw, seed)
    _assert_shared_equal(stock_sd, aw_sd)
    # the check can fail: another seed gives other values
    other = _build(stock, seed + 1)
    assert not torch.equal(other['backbone.conv1.weight'], stock_sd['backbone.conv1.weight'])


def test_se_and_aw_se_detector_backbones_share_their_init():
    init_default_scope('mmdet')
    se = dict(depth=50, plugins=[dict(cfg=dict(type='SEBlock', reduction=16),
                                      stages=(False, True, True, True), position='after_conv3')])
    stock, aw = _detector_cfgs(se)
    stock.model.neck.in_channels = aw.model.neck.in_channels = [256, 512, 1024, 2048]
    _assert_shared_equal(_build(stock, 1), _build(aw, 1))


@pytest.mark.parametrize('se', [None, dict(reduction=4)])
def test_classifier_stock_and_aw_share_their_init(se):
    cfg = load_config(CLS_CONFIG)
    import_modules_from_strings(cfg.custom_imports['imports'])
    init_default_scope(cfg.get('default_scope', 'mmdet'))
    stock, aw = load_config(CLS_CONFIG), load_config(CLS_CONFIG)
    for c in (stock, aw):
        if se is not None:
            c.model.backbone.se = se
    aw.model.backbone.type = 'CifarAWResNet'
    aw.model.backbone.stage_with_aw = (True, True, True, True)
    _assert_shared_equal(_build(stock, 2), _build(aw, 2))


def test_hidden_attention_init_is_fixed_by_the_seed_and_differs_between_convs():
    init_default_scope('mmdet')
    _, aw = _detector_cfgs({})
    first, again = _build(aw, 5), _build(aw, 5)
    hidden = [k for k in first if k.endswith('attention.hidden.weight')]
    assert len(hidden) >= 4 and all(torch.equal(first[k], again[k]) for k in hidden)
    same_shape = [k for k in hidden if first[k].shape == first[hidden[-1]].shape]
    assert not torch.equal(first[same_shape[0]], first[same_shape[-1]])
