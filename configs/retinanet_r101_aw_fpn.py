# RetinaNet R101-FPN 1x COCO with AW-convolution on the 3x3 conv of every block in stages 2-4.
# Everything else is mmdet's stock retinanet/retinanet_r101_fpn_1x_coco.py (the R50 config's bases
# and its lr 0.01 at depth 101), with this project's runtime from _base_/aw_detector.py.
_base_ = [
    'mmdet::_base_/models/retinanet_r50_fpn.py', 'mmdet::_base_/datasets/coco_detection.py',
    './_base_/aw_detector.py', 'mmdet::retinanet/retinanet_tta.py'
]

optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=0.0001))
model = dict(backbone=_base_.pop('aw_backbone'))
