# AW-convolution on top of CBAM: the AW R101 config plus CBAM in stages 2-4.
_base_ = './faster_rcnn_r101_aw_fpn.py'

model = dict(
    backbone=dict(
        plugins=[
            dict(cfg=dict(type='CBAMBlock', reduction=16, kernel_size=7),
                 stages=(False, True, True, True), position='after_conv3')
        ]))
