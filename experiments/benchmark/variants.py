"""Stock, AW and AW's peers as configs mmdet or this repo ships (no peer's code copied)."""
import copy
import functools
import os.path as osp

from mmengine.config import Config

from experiments import ROOT

BASELINE = 'stock'
STOCK = 'mmdet::faster_rcnn/faster-rcnn_r101_fpn_1x_coco.py'
DEMO = 'configs/demo/faster_rcnn_aw_demo.py'
CLASSIFIER = 'configs/classification/resnet18_digits_cls.py'
# name -> (config, backbone settings merged in: a dict, or a config whose backbone's PEER_KEYS)
VARIANTS = {
    BASELINE: (STOCK, None),
    'aw': ('configs/faster_rcnn_r101_aw_fpn.py', None),
    'se': ('configs/faster_rcnn_r101_se_fpn.py', None),
    'cbam': ('configs/faster_rcnn_r101_cbam_fpn.py', None),
    'aw_se': ('configs/faster_rcnn_r101_aw_se_fpn.py', None),
    'dcnv2': (STOCK, 'mmdet::dcnv2/faster-rcnn_r50-mdconv-c3-c5_fpn_1x_coco.py'),
    'gcnet': (STOCK, 'mmdet::gcnet/mask-rcnn_r101-gcb-r4-c3-c5_fpn_1x_coco.py'),
}
PEER_KEYS = ('dcn', 'stage_with_dcn', 'plugins')


def config_path(name):
    """A file of this repo, or of the installed mmdet for ``mmdet::`` names."""
    if name.startswith('mmdet::'):
        import mmdet
        return osp.join(osp.dirname(mmdet.__file__), '.mim', 'configs', name[len('mmdet::'):])
    return osp.join(ROOT, name)


@functools.lru_cache(maxsize=None)
def _load(name):
    return Config.fromfile(config_path(name))


def load_config(name):
    """A copy of the config, read once: each ``mmdet::`` base reads mmdet's ~400 metafiles."""
    return copy.deepcopy(_load(name))


def detector_config(variant):
    """The Faster R-CNN R101-FPN config of ``variant`` (a fresh copy).

    Args:
        variant (str): A key of ``VARIANTS``.
    """
    if variant not in VARIANTS:
        raise ValueError(f'no detector variant {variant!r}; expected one of {list(VARIANTS)}')
    name, extra = VARIANTS[variant]
    cfg = load_config(name)
    if isinstance(extra, str):
        donor = _load(extra).model.backbone
        extra = {key: donor[key] for key in PEER_KEYS if key in donor}
    if extra:
        cfg.merge_from_dict(dict(model=dict(backbone=copy.deepcopy(extra))))
    return cfg


def backbone_config(variant, depth):
    """``variant``'s backbone at ``depth``, trained whole (BN in train mode: models.py).

    Args:
        variant (str): As ``detector_config``.
        depth (int): ResNet depth (50 or more for the plugin and DCN variants).
    """
    backbone = detector_config(variant).model.backbone
    backbone.update(depth=depth, frozen_stages=-1, norm_eval=False, init_cfg=None)
    return backbone


def demo_config(variant):
    """The demo detector config of ``variant`` (stock, aw), as tools/compare.py builds it."""
    from experiments.detection.study import DetectionStudy
    return DetectionStudy().apply(load_config(DEMO), variant)


def classifier_config(variant):
    """The classifier config of ``variant`` as the classification comparison builds it."""
    from experiments.classification.study import ClassificationStudy
    return ClassificationStudy().apply(load_config(CLASSIFIER), variant)
