# Faster R-CNN R101-FPN 1x COCO with AW-convolution on the 3x3 conv of every block in stages 2-4.
# Everything else (data, schedule, evaluator, ImageNet init) is mmdet's stock config.
_base_ = 'mmdet::faster_rcnn/faster-rcnn_r101_fpn_1x_coco.py'
custom_imports = dict(imports=['aw_mmdet'], allow_failed_imports=False)

model = dict(
    backbone=dict(
        type='AWResNet',
        aw=dict(reduction=16, min_hidden=8, attention='factorized'),
        stage_with_aw=(False, True, True, True)))

# Crash-safe checkpoints (atomic writes), resume that reproduces the uninterrupted run, and a stop
# at the first NaN/inf loss; see docs/reliability.md.
default_hooks = dict(checkpoint=dict(type='AtomicCheckpointHook'),
                     finite_loss=dict(type='FiniteLossHook'), rng_state=dict(type='RngStateHook'))
