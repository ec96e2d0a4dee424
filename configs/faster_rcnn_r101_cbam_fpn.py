# Faster R-CNN R101-FPN 1x COCO with CBAM after conv3 of every block in stages 2-4 (stage 1 is
# frozen by the stock config, so it gets no attention block; see faster_rcnn_r101_se_fpn.py).
_base_ = 'mmdet::faster_rcnn/faster-rcnn_r101_fpn_1x_coco.py'
custom_imports = dict(imports=['aw_mmdet'], allow_failed_imports=False)

model = dict(
    backbone=dict(
        plugins=[
            dict(cfg=dict(type='CBAMBlock', reduction=16, kernel_size=7),
                 stages=(False, True, True, True), position='after_conv3')
        ]))

# Crash-safe checkpoints (atomic writes), resume that reproduces the uninterrupted run, and a stop
# at the first NaN/inf loss; see docs/reliability.md.
default_hooks = dict(checkpoint=dict(type='AtomicCheckpointHook'),
                     finite_loss=dict(type='FiniteLossHook'), rng_state=dict(type='RngStateHook'))
