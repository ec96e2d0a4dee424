# AW-convolution on top of squeeze-excitation: the AW R101 config plus SE in stages 2-4.
_base_ = './faster_rcnn_r101_aw_fpn.py'

model = dict(
    backbone=dict(
        plugins=[
            dict(cfg=dict(type='SEBlock', reduction=16), stages=(False, True, True, True),
                 position='after_conv3')
        ]))
