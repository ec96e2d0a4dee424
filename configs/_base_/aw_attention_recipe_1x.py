# Opt-in: mmdet's 1x schedule plus the attention recipe: the attention parameters (every
# AWConv2d's '*.attention.*') learn at 10x the lr and without weight decay. Under a shared lr and
# decay the attention moves slowly (docs/evidence.md). In the demo detector's final runs this
# recipe moved it ten times as far but detected no better than the paper's shared settings, so the
# AW configs train with mmdet's stock schedule.
# To use it, put this file in place of 'mmdet::_base_/schedules/schedule_1x.py' in a config's
# _base_ (mmengine refuses `optim_wrapper` from two bases), or add the same paramwise_cfg to your
# own optim_wrapper.
_base_ = 'mmdet::_base_/schedules/schedule_1x.py'

optim_wrapper = dict(
    paramwise_cfg=dict(custom_keys={'.attention.': dict(lr_mult=10.0, decay_mult=0.0)}))
