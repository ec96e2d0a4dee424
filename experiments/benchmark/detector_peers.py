"""The detectors AW is weighed against: Faster R-CNN R101-FPN variants, each a config plus model
overrides, so every peer is mmdet's (or this repo's) own config and no model code is copied."""
import os.path as osp

# mmdet's dconv c3-c5 setting (configs/dcn/faster-rcnn_r101-dconv-c3-c5_fpn_1x_coco.py) with the
# modulated (v2) conv of configs/dcnv2/faster-rcnn_r50-mdconv-c3-c5_fpn_1x_coco.py, on R101.
DCNV2_C3_C5 = dict(backbone=dict(dcn=dict(type='DCNv2', deform_groups=1, fallback_on_stride=False),
                                 stage_with_dcn=(False, True, True, True)))
BASELINE = 'stock'


def detector_peers(stock_config, configs_dir):
    """name -> (config path, model overrides or None), the stock detector first.

    Args:
        stock_config (str): Path of mmdet's ``faster_rcnn/faster-rcnn_r101_fpn_1x_coco.py``.
        configs_dir (str): This repository's ``configs/`` folder.
    """
    def ours(name):
        return osp.join(configs_dir, name)

    return {
        BASELINE: (stock_config, None),
        'aw': (ours('faster_rcnn_r101_aw_fpn.py'), None),
        'dcnv2': (stock_config, DCNV2_C3_C5),
        'se': (ours('faster_rcnn_r101_se_fpn.py'), None),
        'cbam': (ours('faster_rcnn_r101_cbam_fpn.py'), None),
        'aw_se': (ours('faster_rcnn_r101_aw_se_fpn.py'), None),
    }
