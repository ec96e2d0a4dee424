# Faster R-CNN R101-FPN 1x COCO with CBAM after conv3 of every block in stages 2-4 (stage 1 is
# frozen by the stock config, so it gets no attention block; see faster_rcnn_r101_se_fpn.py).
# mmdet's stock R101 config otherwise, with this project's runtime (_base_/aw_runtime.py).
_base_ = [
    'mmdet::_base_/models/faster-rcnn_r50_fpn.py', 'mmdet::_base_/datasets/coco_detection.py',
    'mmdet::_base_/schedules/schedule_1x.py', './_base_/aw_runtime.py'
]

model = dict(
    backbone=dict(
        depth=101,
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet101'),
        plugins=[
            dict(cfg=dict(type='CBAMBlock', reduction=16, kernel_size=7),
                 stages=(False, True, True, True), position='after_conv3')
        ]))
