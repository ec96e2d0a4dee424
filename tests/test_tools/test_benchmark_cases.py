"""The benchmark's cases and variants: the targets suite is the set the op's speed targets name,
and every variant is the configuration it says (mmdet's own settings for the peers)."""
import pytest

from aw_mmdet import aw_convs
from experiments.benchmark.cases import select
from experiments.benchmark.models import build
from experiments.benchmark.variants import backbone_config, detector_config, load_config


def test_targets_are_the_speed_targets():
    got = {c.name: (c.model, c.mode, c.size, c.batch, c.variants[:2])
           for c in select('targets')}
    assert got == {
        'demo_train': ('demo', 'train', (160, 160), 4, ('stock', 'aw')),
        'cls_train': ('classifier', 'train', (32, 32), 32, ('stock', 'aw')),
        'r50_train': ('backbone', 'train', (224, 224), 16, ('stock', 'aw')),
        'r101_infer': ('r101', 'infer', (800, 1216), 1, ('stock', 'aw')),
        'r101_train': ('r101', 'train', (512, 512), 2, ('stock', 'aw')),
    }
    assert next(c for c in select('targets') if c.name == 'r50_train').depth == 50


def test_select_filters_cases_and_keeps_the_baseline():
    cases = select('peers', quick=True, patterns=['r101_t*'], variants=['aw'])
    assert [(c.name, c.variants) for c in cases] == [('r101_train', ('stock', 'aw'))]
    with pytest.raises(ValueError, match='no case'):
        select('targets', patterns=['nothing*'])


def test_classifier_aw_is_in_all_four_stages():
    case = next(c for c in select('targets', quick=True) if c.name == 'cls_train')
    stages = {name.split('.')[1] for name in aw_convs(build(case, 'aw').model)}
    assert stages == {'layer1', 'layer2', 'layer3', 'layer4'}


def test_backbone_variant_is_the_detector_configs_backbone_trained_whole():
    aw = backbone_config('aw', 50)
    shipped = load_config('configs/faster_rcnn_r101_aw_fpn.py').model.backbone
    assert (aw.type, aw.aw, aw.stage_with_aw) == (shipped.type, shipped.aw, shipped.stage_with_aw)
    assert (aw.depth, aw.norm_eval, aw.frozen_stages, aw.init_cfg) == (50, False, -1, None)
    assert 'aw' not in backbone_config('stock', 50)


def test_peer_variants_take_mmdets_own_settings():
    dcn = detector_config('dcnv2').model.backbone
    assert dcn.type == 'ResNet' and dcn.depth == 101 and dcn.dcn.type == 'DCNv2'
    assert dcn.stage_with_dcn == (False, True, True, True)
    gc = detector_config('gcnet').model.backbone.plugins
    assert [p['cfg']['type'] for p in gc] == ['ContextBlock'] and gc[0]['cfg']['ratio'] == 0.25
    assert detector_config('aw').model.backbone.aw.attention == 'factorized'
    with pytest.raises(ValueError, match='no detector variant'):
        detector_config('condconv4')
