"""Every config in configs/ loads through mmdet's config system and builds its model."""
import os.path as osp

import pytest
from mmdet.registry import MODELS
from mmdet.utils import register_all_modules
from mmengine.config import Config

import aw_mmdet  # noqa: F401
from aw_mmdet import AWConv2d, CBAMBlock, SEBlock
from helpers import ROOT, project_configs, stock_config

CONFIGS = project_configs()


def test_configs_found():
    names = {osp.relpath(c, osp.join(ROOT, 'configs')) for c in CONFIGS}
    assert {'faster_rcnn_r101_aw_fpn.py', 'faster_rcnn_r50_aw_fpn.py', 'faster_rcnn_r101_se_fpn.py',
            'faster_rcnn_r101_aw_se_fpn.py', 'faster_rcnn_r101_cbam_fpn.py',
            'faster_rcnn_r101_aw_cbam_fpn.py', 'demo/faster_rcnn_aw_demo.py'} <= names


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: osp.relpath(p, ROOT))
def test_config_builds_its_model(path):
    register_all_modules()
    cfg = Config.fromfile(path)
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
    stock = _unscoped(Config.fromfile(stock_path).to_dict())
    aw_path = osp.join(ROOT, 'configs', 'faster_rcnn_r101_aw_fpn.py')
    aw = _unscoped(Config.fromfile(aw_path).to_dict())
    for key in ('train_dataloader', 'val_dataloader', 'val_evaluator', 'optim_wrapper',
                'param_scheduler', 'train_cfg'):
        assert aw[key] == stock[key], key
    for key in ('neck', 'rpn_head', 'roi_head', 'train_cfg', 'test_cfg'):
        assert aw['model'][key] == stock['model'][key], key
    backbone = dict(aw['model']['backbone'])
    assert backbone.pop('type') == 'AWResNet'
    assert backbone.pop('stage_with_aw') == [False, True, True, True]
    assert backbone.pop('aw') == dict(reduction=16, min_hidden=8, attention='factorized')
    expected = dict(stock['model']['backbone'])
    expected.pop('type')
    assert backbone == expected
