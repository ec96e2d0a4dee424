# Cascade R-CNN R101-FPN 1x COCO with AW-convolution on the 3x3 conv of every block in stages 2-4.
# Everything else is mmdet's stock cascade_rcnn/cascade-rcnn_r101_fpn_1x_coco.py (the R50 config's
# bases at depth 101), with this project's runtime from _base_/aw_detector.py.
_base_ = [
    'mmdet::_base_/models/cascade-rcnn_r50_fpn.py', 'mmdet::_base_/datasets/coco_detection.py',
    './_base_/aw_detector.py'
]

model = dict(backbone=_base_.pop('aw_backbone'))
