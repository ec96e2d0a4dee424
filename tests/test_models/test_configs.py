"""Every config in configs/ loads through mmdet's config system and builds its model."""
import os.path as osp

import pytest
from mmdet.registry import MODELS
from mmdet.utils import register_all_modules
from mmengine.config import Config

import aw_mmdet  # noqa: F401
from aw_mmdet import AWConv2d, CBAMBlock, SEBlock
from helpers import ROOT, load_config, project_configs, stock_config

CONFIGS = project_configs()
AW_RECIPE = dict(custom_keys={'.attention.': dict(lr_mult=10.0, decay_mult=0.0)})


def test_configs_found():
    names = {osp.relpath(c, osp.join(ROOT, 'configs')) for c in CONFIGS}
    assert {'faster_rcnn_r101_aw_fpn.py', 'faster_rcnn_r50_aw_fpn.py', 'faster_rcnn_r101_se_fpn.py',
            'faster_rcnn_r101_aw_se_fpn.py', 'faster_rcnn_r101_cbam_fpn.py',
            'faster_rcnn_r101_aw_cbam_fpn.py', 'demo/faster_rcnn_aw_demo.py'} <= names


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: osp.relpath(p, ROOT))
def test_config_builds_its_model(path):
    register_all_modules()
    cfg = load_config(path)
    # detection configs need only the plugin; the classification check also imports its own
    # experiment code (not installed, see setup.py)
    extra = ['experiments.classification'] if 'classification' in path else []
    assert cfg.custom_imports['imports'] == ['aw_mmdet'] + extra
    model = MODELS.build(cfg.model)
    name = osp.basename(path)
    n_aw = sum(isinstance(m, AWConv2d) for m in model.modules())
    n_se = sum(isinstance(m, SEBlock) for m in model.modules())
    n_cbam = sum(isinstance(m, CBAMBlock) for m in model.modules())
    assert (n_aw > 0) == ('_aw' in name), name
    assert (n_se > 0) == ('_se' in name), name
    assert (n_cbam > 0) == ('_cbam' in name), name


def _unscoped(value):
    """Config values without the ``_scope_`` keys mmengine adds to ``mmdet::`` bases."""
    if isinstance(value, dict):
        return {k: _unscoped(v) for k, v in value.items() if k != '_scope_'}
    if isinstance(value, (list, tuple)):
        return [_unscoped(v) for v in value]
    return value


def test_r101_aw_config_changes_only_the_backbone():
    stock_path = stock_config('faster_rcnn/faster-rcnn_r101_fpn_1x_coco.py')
    stock = _unscoped(load_config(stock_path).to_dict())
    aw_path = osp.join(ROOT, 'configs', 'faster_rcnn_r101_aw_fpn.py')
    aw = _unscoped(load_config(aw_path).to_dict())
    for key in ('train_dataloader', 'val_dataloader', 'val_evaluator', 'param_scheduler',
                'train_cfg'):
        assert aw[key] == stock[key], key
    assert aw['optim_wrapper'] == stock['optim_wrapper']  # the attention recipe is opt-in
    for key in ('neck', 'rpn_head', 'roi_head', 'train_cfg', 'test_cfg'):
        assert aw['model'][key] == stock['model'][key], key
    backbone = dict(aw['model']['backbone'])
    assert backbone.pop('type') == 'AWResNet'
    assert backbone.pop('stage_with_aw') == [False, True, True, True]
    assert backbone.pop('aw') == dict(reduction=16, min_hidden=8, attention='factorized')
    expected = dict(stock['model']['backbone'])
    expected.pop('type')
    assert backbone == expected


@pytest.mark.parametrize('path', [c for c in CONFIGS if 'classification' not in c],
                         ids=lambda p: osp.relpath(p, ROOT))
def test_detector_configs_train_with_mmdets_optimiser(path):
    """The attention recipe is opt-in (configs/_base_/aw_attention_recipe_1x.py): no detector
    config, AW or not, sets a paramwise_cfg."""
    assert load_config(path).optim_wrapper.get('paramwise_cfg') is None, path


def test_opt_in_attention_recipe_reaches_the_optimizer(tmp_path):
    """A user config taking the opt-in recipe in place of mmdet's 1x schedule, as
    docs/usage.md says, built by mmengine's own optimizer constructor: the attention's parameters
    get 10x the lr and no weight decay, every other parameter the config's values."""
    from mmengine.optim import build_optim_wrapper
    register_all_modules()
    base = osp.join(ROOT, 'configs', '_base_')
    user_cfg = tmp_path / 'faster_rcnn_r18_aw_recipe.py'
    user_cfg.write_text(
        "_base_ = ['mmdet::_base_/models/faster-rcnn_r50_fpn.py', "
        "'mmdet::_base_/datasets/coco_detection.py', "
        f"{osp.join(base, 'aw_attention_recipe_1x.py')!r}, {osp.join(base, 'aw_runtime.py')!r}]\n"
        "model = dict(backbone=dict(type='AWResNet', depth=18, init_cfg=None), "
        "neck=dict(in_channels=[64, 128, 256, 512]))\n")
    cfg = Config.fromfile(str(user_cfg))
    assert _unscoped(cfg.optim_wrapper.paramwise_cfg.to_dict()) == AW_RECIPE
    model = MODELS.build(cfg.model)
    optimizer = build_optim_wrapper(model, cfg.optim_wrapper).optimizer
    base_lr = cfg.optim_wrapper.optimizer.lr
    base_decay = cfg.optim_wrapper.optimizer.weight_decay
    names = {id(p): n for n, p in model.named_parameters()}
    seen = {'attention': 0, 'other': 0}
    for group in optimizer.param_groups:
        for param in group['params']:
            if '.attention.' in names[id(param)]:
                seen['attention'] += 1
                assert group['lr'] == pytest.approx(10 * base_lr)
                assert group['weight_decay'] == 0
            else:
                seen['other'] += 1
                assert group['lr'] == pytest.approx(base_lr)
                assert group['weight_decay'] == pytest.approx(base_decay)
    n_aw = sum(isinstance(m, AWConv2d) for m in model.modules())
    assert seen['attention'] >= n_aw > 0 and seen['other'] > 0
