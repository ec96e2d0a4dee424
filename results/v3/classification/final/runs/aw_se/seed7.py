batch_size = 32
custom_hooks = [
    dict(type='ValCurveHook'),
    dict(type='ValidationRngHook'),
]
custom_imports = dict(
    allow_failed_imports=False,
    imports=[
        'aw_mmdet',
        'experiments.classification',
        'experiments.harness.validation_rng_hook',
    ])
data_seed = 0
default_hooks = dict(
    checkpoint=dict(
        by_epoch=False,
        interval=100,
        max_keep_ckpts=1,
        save_last=True,
        type='AtomicCheckpointHook'),
    finite_loss=dict(type='FiniteLossHook'),
    logger=dict(interval=50, log_metric_by_epoch=False, type='LoggerHook'),
    param_scheduler=dict(type='ParamSchedulerHook'),
    rng_state=dict(type='RngStateHook'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    timer=dict(type='IterTimerHook'))
default_scope = 'mmdet'
env_cfg = dict(
    cudnn_benchmark=False,
    dist_cfg=dict(backend='gloo'),
    mp_cfg=dict(mp_start_method='fork'))
harness = dict(
    ablation=dict(
        batch_size=32,
        mean_dataset=dict(seed=0, split='train', type='DigitsClsDataset'),
        mean_images=2048,
        shuffle='next'),
    phase='final',
    test=True)
load_from = None
log_level = 'INFO'
log_processor = dict(by_epoch=False, window_size=50)
max_iters = 800
model = dict(
    backbone=dict(
        aw=dict(attention='factorized', min_hidden=8, reduction=16),
        base_channels=16,
        depth=18,
        frozen_stages=-1,
        norm_cfg=dict(requires_grad=True, type='BN'),
        norm_eval=False,
        out_indices=(3, ),
        se=dict(reduction=4),
        stage_with_aw=(
            True,
            True,
            True,
            True,
        ),
        stem_channels=16,
        type='CifarAWResNet',
        zero_init_residual=False),
    data_preprocessor=dict(
        mean=127.5, seed=7, shift=2, std=64.0, type='DigitsClsPreprocessor'),
    num_classes=10,
    type='DigitsClassifier')
optim_wrapper = dict(
    optimizer=dict(
        lr=0.05, momentum=0.9, nesterov=True, type='SGD', weight_decay=0.0005),
    type='OptimWrapper')
param_scheduler = [
    dict(begin=0, by_epoch=False, end=50, start_factor=0.01, type='LinearLR'),
    dict(
        begin=50,
        by_epoch=False,
        end=6400,
        eta_min=0.0,
        type='CosineAnnealingLR'),
]
randomness = dict(deterministic=False, seed=7)
resume = False
seed = 0
test_cfg = dict(type='TestLoop')
test_dataloader = dict(
    batch_size=256,
    collate_fn=dict(type='default_collate'),
    dataset=dict(seed=0, split='test', type='DigitsClsDataset'),
    num_workers=0,
    persistent_workers=False,
    sampler=dict(shuffle=False, type='DefaultSampler'))
test_evaluator = dict(type='TopOneAccuracy')
train_cfg = dict(max_iters=6400, type='IterBasedTrainLoop', val_interval=100)
train_dataloader = dict(
    batch_size=32,
    collate_fn=dict(type='default_collate'),
    dataset=dict(seed=0, split='train', type='DigitsClsDataset'),
    num_workers=0,
    persistent_workers=False,
    sampler=dict(shuffle=True, type='InfiniteSampler'))
val_cfg = dict(type='ValLoop')
val_dataloader = dict(
    batch_size=256,
    collate_fn=dict(type='default_collate'),
    dataset=dict(seed=0, split='val', type='DigitsClsDataset'),
    num_workers=0,
    persistent_workers=False,
    sampler=dict(shuffle=False, type='DefaultSampler'))
val_evaluator = dict(type='TopOneAccuracy')
val_interval = 100
width = 16
work_dir = '/work/main/results/v3/classification/final/runs/aw_se/seed7'
