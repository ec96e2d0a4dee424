# Faster R-CNN R101-FPN 1x COCO with squeeze-excitation after conv3 of every block in stages 2-4.
# Stage 1 is frozen by the stock config (frozen_stages=1) and ImageNet weights have no SE, so an SE
# block there would stay a fixed random rescale; it is left out, as AW is.
_base_ = 'mmdet::faster_rcnn/faster-rcnn_r101_fpn_1x_coco.py'
custom_imports = dict(imports=['aw_mmdet'], allow_failed_imports=False)

model = dict(
    backbone=dict(
        plugins=[
            dict(cfg=dict(type='SEBlock', reduction=16), stages=(False, True, True, True),
                 position='after_conv3')
        ]))

# Crash-safe checkpoints (atomic writes), resume that reproduces the uninterrupted run, and a stop
# at the first NaN/inf loss; see docs/reliability.md.
default_hooks = dict(checkpoint=dict(type='AtomicCheckpointHook'),
                     finite_loss=dict(type='FiniteLossHook'), rng_state=dict(type='RngStateHook'))
