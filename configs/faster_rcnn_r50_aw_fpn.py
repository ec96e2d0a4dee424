# Faster R-CNN R50-FPN 1x COCO with AW-convolution in stages 2-4: the AW R101 config at depth 50
# from ImageNet R50 weights, that is mmdet's stock faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py with
# an AW backbone and this project's runtime (_base_/aw_detector.py).
_base_ = './faster_rcnn_r101_aw_fpn.py'

model = dict(
    backbone=dict(depth=50, init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50')))
