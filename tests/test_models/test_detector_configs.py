"""The AW configs for RetinaNet, Cascade R-CNN and Mask R-CNN: each is mmdet's stock R101 1x COCO
config with an AW backbone, that backbone computes what the stock one does at init (same weights,
attention keys only missing), and the box-only detectors train one iteration on tiny data.

References are mmdet's stock configs and stock ResNet, never the AW configs themselves.
(test_configs.py builds every project config's whole model, these included.)"""
import json
import os.path as osp

import pytest
import torch
from mmdet.registry import MODELS
from mmdet.utils import register_all_modules

import aw_mmdet  # noqa: F401
from experiments.demo import CLASSES
from helpers import ROOT, load_config, load_tool, make_tiny_data, stock_config

STOCK = {
    'retinanet_r101_aw_fpn.py': 'retinanet/retinanet_r101_fpn_1x_coco.py',
    'cascade_rcnn_r101_aw_fpn.py': 'cascade_rcnn/cascade-rcnn_r101_fpn_1x_coco.py',
    'mask_rcnn_r101_aw_fpn.py': 'mask_rcnn/mask-rcnn_r101_fpn_1x_coco.py',
}
AW_BACKBONE = dict(type='AWResNet', aw=dict(reduction=16, min_hidden=8, attention='factorized'),
                   stage_with_aw=[False, True, True, True])
AW_RUNTIME = dict(custom_imports=dict(imports=['aw_mmdet'], allow_failed_imports=False),
                  hooks=dict(checkpoint='AtomicCheckpointHook', finite_loss='FiniteLossHook',
                             rng_state='RngStateHook'))
IMAGE = torch.randn(1, 3, 64, 96, generator=torch.Generator().manual_seed(0))


def _unscoped(value):
    """Config values without the ``_scope_`` keys mmengine adds to ``mmdet::`` bases."""
    if isinstance(value, dict):
        return {k: _unscoped(v) for k, v in value.items() if k != '_scope_'}
    if isinstance(value, (list, tuple)):
        return [_unscoped(v) for v in value]
    return value


def _configs(name):
    aw = load_config(osp.join(ROOT, 'configs', name))
    return aw, load_config(stock_config(STOCK[name]))


@pytest.mark.parametrize('name', sorted(STOCK))
def test_config_is_stock_with_aw_backbone_and_runtime(name):
    """Stock but for the backbone and the runtime's hooks (the optimiser is mmdet's too)."""
    aw, stock = (_unscoped(c.to_dict()) for c in _configs(name))
    assert aw.pop('custom_imports') == AW_RUNTIME['custom_imports']
    hooks, stock_hooks = aw.pop('default_hooks'), stock.pop('default_hooks')
    for key, hook_type in AW_RUNTIME['hooks'].items():
        assert hooks.pop(key)['type'] == hook_type, key
    stock_hooks.pop('checkpoint')
    assert hooks == stock_hooks
    backbone = aw['model'].pop('backbone')
    expected = {**stock['model'].pop('backbone'), **AW_BACKBONE}
    assert backbone == expected
    assert aw == stock  # data, schedule, optimizer, heads, evaluator, TTA: all stock


_STOCK_BACKBONES = {}


def _stock_backbone(backbone_cfg):
    """(state dict, output on IMAGE) of a stock backbone: torch's default random conv init and
    BN moved off identity (init_weights would spend seconds logging). Cached: the three stock
    configs share one backbone, and R101's first forward is the slow part of this test."""
    key = repr(backbone_cfg)
    if key not in _STOCK_BACKBONES:
        _STOCK_BACKBONES[key] = _random_stock_backbone(backbone_cfg)
    return _STOCK_BACKBONES[key]


def _random_stock_backbone(backbone_cfg):
    torch.manual_seed(0)
    stock = MODELS.build(backbone_cfg)
    with torch.no_grad():
        for m in stock.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5), m.bias.normal_(0, 0.1)
                m.running_mean.normal_(0, 0.1), m.running_var.uniform_(0.5, 1.5)
        stock.eval()
        return stock.state_dict(), stock(IMAGE)


@pytest.mark.parametrize('name', sorted(STOCK))
def test_backbone_equals_stock_backbone_with_same_weights(name):
    register_all_modules()
    aw_cfg, stock_cfg = _configs(name)
    aw_cfg.model.backbone.init_cfg = stock_cfg.model.backbone.init_cfg = None  # no download
    state, expected = _stock_backbone(stock_cfg.model.backbone.to_dict())
    aw = MODELS.build(aw_cfg.model.backbone)
    result = aw.load_state_dict(state, strict=False)
    assert not result.unexpected_keys
    assert result.missing_keys and all('.conv2.attention.' in k for k in result.missing_keys)
    aw.eval()
    with torch.no_grad():
        got = aw(IMAGE)
    assert len(got) == len(expected) == 4
    for g, e in zip(got, expected):
        torch.testing.assert_close(g, e)


def _tiny_train_config(name, data, out):
    """The AW config on the tiny digits data: 1 training image at 128 px, 10 classes, no ImageNet
    download, no validation (tools/train.py checks the val files, so they point there too), no
    checkpoint (R101 ones are large); dumped to ``out``."""
    cfg = load_config(osp.join(ROOT, 'configs', name))
    cfg.model.backbone.init_cfg = None
    heads = cfg.model.bbox_head if 'bbox_head' in cfg.model else cfg.model.roi_head.bbox_head
    for head in heads if isinstance(heads, list) else [heads]:
        head.num_classes = len(CLASSES)
    for loader, split in (('train_dataloader', 'train'), ('val_dataloader', 'val'),
                          ('test_dataloader', 'val')):
        cfg[loader].update(num_workers=0, persistent_workers=False, batch_size=1)
        cfg[loader].dataset.update(
            data_root=f'{data}/', metainfo=dict(classes=CLASSES),
            ann_file=f'annotations/instances_{split}.json', data_prefix=dict(img=f'{split}/'))
        for step in cfg[loader].dataset.pipeline:
            if step['type'] == 'Resize':
                step['scale'] = (128, 128)
    for evaluator in ('val_evaluator', 'test_evaluator'):
        cfg[evaluator].ann_file = f'{data}/annotations/instances_val.json'
    cfg.train_cfg.update(max_epochs=1, val_begin=2)
    cfg.default_hooks.checkpoint.update(interval=2, save_last=False)
    cfg.default_hooks.logger.interval = 1
    # mmengine keeps one visualizer per name per process: a second run in this process would
    # otherwise write its scalars into the first run's work dir
    cfg.visualizer.name = f'visualizer_{name}'
    cfg.dump(out)
    return out


@pytest.mark.parametrize('name', [
    'retinanet_r101_aw_fpn.py',
    pytest.param('cascade_rcnn_r101_aw_fpn.py', marks=pytest.mark.slow),  # 20-33 s on 2 cores
])
def test_box_detector_trains_one_iteration(name, tmp_path):
    data, work = tmp_path / 'data', tmp_path / 'work'
    make_tiny_data(data, num_train=1, num_val=1)
    config = _tiny_train_config(name, data, str(tmp_path / name))
    load_tool('train.py').main([config, '--work-dir', str(work)])
    scalars = list(work.glob('*/vis_data/scalars.json'))
    assert len(scalars) == 1
    logged = [json.loads(line) for line in scalars[0].read_text().splitlines()]
    assert [entry['iter'] for entry in logged] == [1]
    losses = {k: v for k, v in logged[0].items() if 'loss' in k}
    assert 'loss' in losses and all(torch.isfinite(torch.tensor(v)) for v in losses.values())
    if name.startswith('cascade'):
        assert {'s0.loss_cls', 's1.loss_cls', 's2.loss_cls'} <= set(losses)
    assert not list(work.glob('*.pth'))
