# What every AW detector config adds to mmdet's model and dataset bases: this project's runtime
# (aw_runtime.py), mmdet's stock 1x schedule (the attention recipe is opt-in:
# aw_attention_recipe_1x.py), and
# `aw_backbone`: AWResNet-101 from ImageNet weights with AW-convolution on the 3x3 conv of every
# block in stages 2-4.
# A config merges `aw_backbone` into its model's backbone with `_base_.pop('aw_backbone')`: popped,
# it stays out of the config itself (mmengine keeps every base variable left in `_base_` as a
# top-level key of the config).
_base_ = ['mmdet::_base_/schedules/schedule_1x.py', './aw_runtime.py']

aw_backbone = dict(
    type='AWResNet',
    depth=101,
    init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet101'),
    aw=dict(reduction=16, min_hidden=8, attention='factorized'),
    stage_with_aw=(False, True, True, True))
