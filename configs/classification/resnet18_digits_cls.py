# Stock classifier of the AW-from-scratch check: ResNet-18 (mmdet BasicBlock, 2-2-2-2,
# 16 channels wide) with a CIFAR stem and a linear head on 32 px rendered digits.
# tools/compare_classification.py turns it into the aw / se / aw_se variants
# (experiments/classification/variants.py) and sets the seed; nothing else differs between them.
#
# PROTOCOL, fixed on the stock model alone with seeds 100-102 (2026-11-29, before any AW accuracy
# existed; docs/classification_protocol.md has the calibration log): 800 iterations of batch 32,
# SGD (Nesterov, momentum 0.9, weight decay 5e-4) at lr 0.05 with a 50-iteration linear warm-up
# and cosine decay to 0, random shifts of up to 2 px, no zero-init of the residual branches.
# Stock calibration: test top-1 92.40 / 92.89 / 93.04 % (seeds 100 / 101 / 102), mean 92.78 ± 0.34;
# 160 s wall for one run alone on one thread (146 s training) on the shared 2-core machine.
custom_imports = dict(imports=['aw_mmdet', 'experiments.classification'],
                      allow_failed_imports=False)
default_scope = 'mmdet'

seed = 0  # the run seed: model init, data order (sampler) and augmentation
data_seed = 0  # the data set itself (scan split, rendering): the same for every run
batch_size = 32
max_iters = 800
val_interval = 100
width = 16  # base_channels: stage widths 16/32/64/128

model = dict(
    type='DigitsClassifier',
    num_classes=10,
    data_preprocessor=dict(type='DigitsClsPreprocessor', mean=127.5, std=64.0, shift=2,
                           seed=seed),
    backbone=dict(
        type='CifarResNet', depth=18, stem_channels=width, base_channels=width,
        out_indices=(3, ), frozen_stages=-1, norm_eval=False, zero_init_residual=False,
        norm_cfg=dict(type='BN', requires_grad=True)))

train_dataloader = dict(
    batch_size=batch_size, num_workers=0, persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type='DigitsClsDataset', split='train', seed=data_seed))
val_dataloader = dict(
    batch_size=256, num_workers=0, persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type='DigitsClsDataset', split='val', seed=data_seed))
test_dataloader = dict(
    batch_size=256, num_workers=0, persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type='DigitsClsDataset', split='test', seed=data_seed))
val_evaluator = dict(type='TopOneAccuracy')
test_evaluator = val_evaluator

train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=val_interval)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=50),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=50, end=max_iters, eta_min=0.0),
]

# The detection configs' reliability hooks: atomic checkpoints, stop at the first NaN/inf loss,
# RNG state in checkpoints (aw_mmdet, docs/reliability.md).
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='AtomicCheckpointHook', by_epoch=False, interval=500,
                    max_keep_ckpts=1, save_last=True),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    finite_loss=dict(type='FiniteLossHook'),
    rng_state=dict(type='RngStateHook'))
custom_hooks = [dict(type='ValCurveHook')]
log_processor = dict(by_epoch=False, window_size=50)
log_level = 'INFO'
env_cfg = dict(cudnn_benchmark=False, mp_cfg=dict(mp_start_method='fork'),
               dist_cfg=dict(backend='gloo'))
randomness = dict(seed=seed, deterministic=False)
load_from = None
resume = False
work_dir = 'work_dirs/classification'
