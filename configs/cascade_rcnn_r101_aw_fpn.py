# Cascade R-CNN R101-FPN 1x COCO with AW-convolution on the 3x3 conv of every block in stages 2-4.
# Everything else is mmdet's stock cascade_rcnn/cascade-rcnn_r101_fpn_1x_coco.py (the R50 config's
# bases at depth 101), with this project's runtime (_base_/aw_runtime.py) in place of mmdet's
# default_runtime.py.
# The AW attention recipe (attention lr x10, no decay on it: docs/evidence.md) comes with
# _base_/aw_schedule_1x.py, mmdet's 1x schedule otherwise.
_base_ = [
    'mmdet::_base_/models/cascade-rcnn_r50_fpn.py', 'mmdet::_base_/datasets/coco_detection.py',
    './_base_/aw_schedule_1x.py', './_base_/aw_runtime.py'
]

model = dict(
    backbone=dict(
        type='AWResNet',
        depth=101,
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet101'),
        aw=dict(reduction=16, min_hidden=8, attention='factorized'),
        stage_with_aw=(False, True, True, True)))
