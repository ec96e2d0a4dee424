# The runtime of every config in this project: mmdet's default runtime, aw_mmdet imported (AW
# backbone, SE/CBAM plugins, checked datasets, safe checkpoint loading), and the reliability hooks:
# crash-safe checkpoints (atomic writes), resume that reproduces the uninterrupted run, and a stop
# at the first NaN/inf loss; see docs/reliability.md.
# It inherits mmdet's default_runtime.py and takes its place in a config's _base_ list: mmengine
# refuses a key (default_hooks) defined by two bases of one config.
_base_ = 'mmdet::_base_/default_runtime.py'

custom_imports = dict(imports=['aw_mmdet'], allow_failed_imports=False)

default_hooks = dict(checkpoint=dict(type='AtomicCheckpointHook'),
                     finite_loss=dict(type='FiniteLossHook'), rng_state=dict(type='RngStateHook'))
