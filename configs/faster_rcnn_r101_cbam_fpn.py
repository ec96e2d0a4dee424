# Faster R-CNN R101-FPN 1x COCO with CBAM after conv3 of every block in stages 2-4: the SE config
# (faster_rcnn_r101_se_fpn.py: mmdet's stock R101 config with this project's runtime; why not
# stage 1) with CBAM in place of SE.
_base_ = './faster_rcnn_r101_se_fpn.py'

model = dict(
    backbone=dict(
        plugins=[
            dict(cfg=dict(type='CBAMBlock', reduction=16, kernel_size=7),
                 stages=(False, True, True, True), position='after_conv3')
        ]))
