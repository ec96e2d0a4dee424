# mmdet's 1x schedule plus the AW attention recipe: the attention parameters (the logit layers of
# every AWConv2d, all named '*.attention.*') learn at 10x the lr and without weight decay.
# Why: under a shared lr and decay the attention learns at about a twelfth of the speed of the
# weights it modulates; x10 was chosen among {x1, x10, x100} on seeds the evidence does not
# report (docs/evidence.md, "Recipe selection"). The attention still starts at exactly 1, so stock
# ImageNet and detector checkpoints load and detect as before; only training changes.
# It takes the place of mmdet's schedule_1x.py in the AW configs' _base_ list (aw_detector.py's;
# mmengine refuses `optim_wrapper` from two bases of one config). With another schedule, add the
# same paramwise_cfg to your optim_wrapper.
_base_ = 'mmdet::_base_/schedules/schedule_1x.py'

optim_wrapper = dict(
    paramwise_cfg=dict(custom_keys={'.attention.': dict(lr_mult=10.0, decay_mult=0.0)}))
