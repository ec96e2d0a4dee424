auto_scale_lr = dict(base_batch_size=16, enable=False)
backend_args = None
classes = (
    'digit_0',
    'digit_1',
    'digit_2',
    'digit_3',
    'digit_4',
    'digit_5',
    'digit_6',
    'digit_7',
    'digit_8',
    'digit_9',
)
custom_hooks = [
    dict(type='ValidationRngHook'),
]
custom_imports = dict(
    allow_failed_imports=False,
    imports=[
        'aw_mmdet',
        'experiments.harness.validation_rng_hook',
    ])
data_root = 'data/aw_demo/'
dataset_type = 'CocoDataset'
default_hooks = dict(
    checkpoint=dict(
        _scope_='mmdet',
        by_epoch=False,
        interval=90,
        max_keep_ckpts=1,
        save_last=True,
        type='AtomicCheckpointHook'),
    finite_loss=dict(type='FiniteLossHook'),
    logger=dict(
        _scope_='mmdet',
        interval=10,
        log_metric_by_epoch=False,
        type='LoggerHook'),
    param_scheduler=dict(_scope_='mmdet', type='ParamSchedulerHook'),
    rng_state=dict(type='RngStateHook'),
    sampler_seed=dict(_scope_='mmdet', type='DistSamplerSeedHook'),
    timer=dict(_scope_='mmdet', type='IterTimerHook'),
    visualization=dict(_scope_='mmdet', type='DetVisualizationHook'))
default_scope = 'mmdet'
env_cfg = dict(
    cudnn_benchmark=False,
    dist_cfg=dict(backend='gloo'),
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0))
harness = dict(
    ablation=dict(
        batch_size=1,
        mean_dataset=dict(
            _scope_='mmdet',
            ann_file='annotations/instances_train.json',
            backend_args=None,
            data_prefix=dict(img='train/'),
            data_root='/work/runs/data/aw_demo/',
            metainfo=dict(
                classes=(
                    'digit_0',
                    'digit_1',
                    'digit_2',
                    'digit_3',
                    'digit_4',
                    'digit_5',
                    'digit_6',
                    'digit_7',
                    'digit_8',
                    'digit_9',
                ),
                palette=[
                    (
                        230,
                        25,
                        75,
                    ),
                    (
                        60,
                        180,
                        75,
                    ),
                    (
                        255,
                        225,
                        25,
                    ),
                    (
                        0,
                        130,
                        200,
                    ),
                    (
                        245,
                        130,
                        48,
                    ),
                    (
                        145,
                        30,
                        180,
                    ),
                    (
                        70,
                        240,
                        240,
                    ),
                    (
                        240,
                        50,
                        230,
                    ),
                    (
                        210,
                        245,
                        60,
                    ),
                    (
                        250,
                        190,
                        212,
                    ),
                ]),
            pipeline=[
                dict(type='LoadImageFromFile'),
                dict(keep_ratio=True, scale=(
                    160,
                    160,
                ), type='Resize'),
                dict(type='LoadAnnotations', with_bbox=True),
                dict(
                    meta_keys=(
                        'img_id',
                        'img_path',
                        'ori_shape',
                        'img_shape',
                        'scale_factor',
                    ),
                    type='PackDetInputs'),
            ],
            test_mode=True,
            type='CocoDataset'),
        mean_images=None,
        shuffle='previous'),
    phase='final',
    test=True)
image_scale = (
    160,
    160,
)
load_from = None
log_level = 'INFO'
log_processor = dict(
    _scope_='mmdet', by_epoch=False, type='LogProcessor', window_size=50)
max_iters = 540
metainfo = dict(
    classes=(
        'digit_0',
        'digit_1',
        'digit_2',
        'digit_3',
        'digit_4',
        'digit_5',
        'digit_6',
        'digit_7',
        'digit_8',
        'digit_9',
    ),
    palette=[
        (
            230,
            25,
            75,
        ),
        (
            60,
            180,
            75,
        ),
        (
            255,
            225,
            25,
        ),
        (
            0,
            130,
            200,
        ),
        (
            245,
            130,
            48,
        ),
        (
            145,
            30,
            180,
        ),
        (
            70,
            240,
            240,
        ),
        (
            240,
            50,
            230,
        ),
        (
            210,
            245,
            60,
        ),
        (
            250,
            190,
            212,
        ),
    ])
model = dict(
    _scope_='mmdet',
    backbone=dict(
        aw=dict(attention='factorized', min_hidden=8, reduction=16),
        depth=18,
        frozen_stages=-1,
        init_cfg=None,
        norm_cfg=dict(requires_grad=True, type='BN'),
        norm_eval=False,
        num_stages=4,
        out_indices=(
            0,
            1,
            2,
            3,
        ),
        stage_with_aw=(
            False,
            True,
            True,
            True,
        ),
        style='pytorch',
        type='AWResNet'),
    data_preprocessor=dict(
        bgr_to_rgb=True,
        mean=[
            123.675,
            116.28,
            103.53,
        ],
        pad_size_divisor=32,
        std=[
            58.395,
            57.12,
            57.375,
        ],
        type='DetDataPreprocessor'),
    neck=dict(
        in_channels=[
            64,
            128,
            256,
            512,
        ],
        num_outs=5,
        out_channels=128,
        type='FPN'),
    roi_head=dict(
        bbox_head=dict(
            bbox_coder=dict(
                target_means=[
                    0.0,
                    0.0,
                    0.0,
                    0.0,
                ],
                target_stds=[
                    0.1,
                    0.1,
                    0.2,
                    0.2,
                ],
                type='DeltaXYWHBBoxCoder'),
            fc_out_channels=512,
            in_channels=128,
            loss_bbox=dict(loss_weight=1.0, type='L1Loss'),
            loss_cls=dict(
                loss_weight=1.0, type='CrossEntropyLoss', use_sigmoid=False),
            num_classes=10,
            reg_class_agnostic=False,
            roi_feat_size=7,
            type='Shared2FCBBoxHead'),
        bbox_roi_extractor=dict(
            featmap_strides=[
                4,
                8,
                16,
                32,
            ],
            out_channels=128,
            roi_layer=dict(output_size=7, sampling_ratio=1, type='RoIAlign'),
            type='SingleRoIExtractor'),
        type='StandardRoIHead'),
    rpn_head=dict(
        anchor_generator=dict(
            ratios=[
                0.5,
                1.0,
                2.0,
            ],
            scales=[
                4,
            ],
            strides=[
                4,
                8,
                16,
                32,
                64,
            ],
            type='AnchorGenerator'),
        bbox_coder=dict(
            target_means=[
                0.0,
                0.0,
                0.0,
                0.0,
            ],
            target_stds=[
                1.0,
                1.0,
                1.0,
                1.0,
            ],
            type='DeltaXYWHBBoxCoder'),
        feat_channels=128,
        in_channels=128,
        loss_bbox=dict(loss_weight=1.0, type='L1Loss'),
        loss_cls=dict(
            loss_weight=1.0, type='CrossEntropyLoss', use_sigmoid=True),
        type='RPNHead'),
    test_cfg=dict(
        rcnn=dict(
            max_per_img=100,
            nms=dict(iou_threshold=0.5, type='nms'),
            score_thr=0.05),
        rpn=dict(
            max_per_img=100,
            min_bbox_size=0,
            nms=dict(iou_threshold=0.7, type='nms'),
            nms_pre=500)),
    train_cfg=dict(
        rcnn=dict(
            assigner=dict(
                ignore_iof_thr=-1,
                match_low_quality=False,
                min_pos_iou=0.5,
                neg_iou_thr=0.5,
                pos_iou_thr=0.5,
                type='MaxIoUAssigner'),
            debug=False,
            pos_weight=-1,
            sampler=dict(
                add_gt_as_proposals=True,
                neg_pos_ub=-1,
                num=64,
                pos_fraction=0.5,
                type='RandomSampler')),
        rpn=dict(
            allowed_border=-1,
            assigner=dict(
                ignore_iof_thr=-1,
                match_low_quality=True,
                min_pos_iou=0.3,
                neg_iou_thr=0.3,
                pos_iou_thr=0.7,
                type='MaxIoUAssigner'),
            debug=False,
            pos_weight=-1,
            sampler=dict(
                add_gt_as_proposals=False,
                neg_pos_ub=-1,
                num=256,
                pos_fraction=0.5,
                type='RandomSampler')),
        rpn_proposal=dict(
            max_per_img=300,
            min_bbox_size=0,
            nms=dict(iou_threshold=0.7, type='nms'),
            nms_pre=1000)),
    type='FasterRCNN')
model_wrapper_cfg = dict(
    broadcast_buffers=False,
    device_ids=None,
    find_unused_parameters=False,
    type='MMDistributedDataParallel')
optim_wrapper = dict(
    _scope_='mmdet',
    clip_grad=dict(max_norm=10, norm_type=2),
    optimizer=dict(lr=0.02, momentum=0.9, type='SGD', weight_decay=0.0001),
    type='OptimWrapper')
palette = [
    (
        230,
        25,
        75,
    ),
    (
        60,
        180,
        75,
    ),
    (
        255,
        225,
        25,
    ),
    (
        0,
        130,
        200,
    ),
    (
        245,
        130,
        48,
    ),
    (
        145,
        30,
        180,
    ),
    (
        70,
        240,
        240,
    ),
    (
        240,
        50,
        230,
    ),
    (
        210,
        245,
        60,
    ),
    (
        250,
        190,
        212,
    ),
]
param_scheduler = [
    dict(begin=0, by_epoch=False, end=50, start_factor=0.01, type='LinearLR'),
    dict(
        begin=50,
        by_epoch=False,
        end=2160,
        eta_min=0.0001,
        type='CosineAnnealingLR'),
]
randomness = dict(deterministic=False, seed=7)
resume = False
test_cfg = dict(_scope_='mmdet', type='TestLoop')
test_dataloader = dict(
    batch_size=4,
    dataset=dict(
        _scope_='mmdet',
        ann_file='annotations/instances_test.json',
        backend_args=None,
        data_prefix=dict(img='test/'),
        data_root='/work/runs/data/aw_demo/',
        metainfo=dict(
            classes=(
                'digit_0',
                'digit_1',
                'digit_2',
                'digit_3',
                'digit_4',
                'digit_5',
                'digit_6',
                'digit_7',
                'digit_8',
                'digit_9',
            ),
            palette=[
                (
                    230,
                    25,
                    75,
                ),
                (
                    60,
                    180,
                    75,
                ),
                (
                    255,
                    225,
                    25,
                ),
                (
                    0,
                    130,
                    200,
                ),
                (
                    245,
                    130,
                    48,
                ),
                (
                    145,
                    30,
                    180,
                ),
                (
                    70,
                    240,
                    240,
                ),
                (
                    240,
                    50,
                    230,
                ),
                (
                    210,
                    245,
                    60,
                ),
                (
                    250,
                    190,
                    212,
                ),
            ]),
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(keep_ratio=True, scale=(
                160,
                160,
            ), type='Resize'),
            dict(type='LoadAnnotations', with_bbox=True),
            dict(
                meta_keys=(
                    'img_id',
                    'img_path',
                    'ori_shape',
                    'img_shape',
                    'scale_factor',
                ),
                type='PackDetInputs'),
        ],
        test_mode=True,
        type='CocoDataset'),
    drop_last=False,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(_scope_='mmdet', shuffle=False, type='DefaultSampler'))
test_evaluator = dict(
    _scope_='mmdet',
    ann_file='/work/runs/data/aw_demo/annotations/instances_test.json',
    backend_args=None,
    format_only=False,
    metric='bbox',
    type='CocoMetric')
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(keep_ratio=True, scale=(
        160,
        160,
    ), type='Resize'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        meta_keys=(
            'img_id',
            'img_path',
            'ori_shape',
            'img_shape',
            'scale_factor',
        ),
        type='PackDetInputs'),
]
train_cfg = dict(max_iters=2160, type='IterBasedTrainLoop', val_interval=90)
train_dataloader = dict(
    batch_sampler=dict(_scope_='mmdet', type='AspectRatioBatchSampler'),
    batch_size=4,
    dataset=dict(
        _scope_='mmdet',
        ann_file='annotations/instances_train.json',
        backend_args=None,
        data_prefix=dict(img='train/'),
        data_root='/work/runs/data/aw_demo/',
        filter_cfg=dict(filter_empty_gt=True, min_size=4),
        metainfo=dict(
            classes=(
                'digit_0',
                'digit_1',
                'digit_2',
                'digit_3',
                'digit_4',
                'digit_5',
                'digit_6',
                'digit_7',
                'digit_8',
                'digit_9',
            ),
            palette=[
                (
                    230,
                    25,
                    75,
                ),
                (
                    60,
                    180,
                    75,
                ),
                (
                    255,
                    225,
                    25,
                ),
                (
                    0,
                    130,
                    200,
                ),
                (
                    245,
                    130,
                    48,
                ),
                (
                    145,
                    30,
                    180,
                ),
                (
                    70,
                    240,
                    240,
                ),
                (
                    240,
                    50,
                    230,
                ),
                (
                    210,
                    245,
                    60,
                ),
                (
                    250,
                    190,
                    212,
                ),
            ]),
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(type='LoadAnnotations', with_bbox=True),
            dict(keep_ratio=True, scale=(
                160,
                160,
            ), type='Resize'),
            dict(type='PackDetInputs'),
        ],
        type='CocoDataset'),
    num_workers=1,
    persistent_workers=True,
    sampler=dict(_scope_='mmdet', shuffle=True, type='DefaultSampler'))
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(keep_ratio=True, scale=(
        160,
        160,
    ), type='Resize'),
    dict(type='PackDetInputs'),
]
val_cfg = dict(_scope_='mmdet', type='ValLoop')
val_dataloader = dict(
    batch_size=4,
    dataset=dict(
        _scope_='mmdet',
        ann_file='annotations/instances_val.json',
        backend_args=None,
        data_prefix=dict(img='val/'),
        data_root='/work/runs/data/aw_demo/',
        metainfo=dict(
            classes=(
                'digit_0',
                'digit_1',
                'digit_2',
                'digit_3',
                'digit_4',
                'digit_5',
                'digit_6',
                'digit_7',
                'digit_8',
                'digit_9',
            ),
            palette=[
                (
                    230,
                    25,
                    75,
                ),
                (
                    60,
                    180,
                    75,
                ),
                (
                    255,
                    225,
                    25,
                ),
                (
                    0,
                    130,
                    200,
                ),
                (
                    245,
                    130,
                    48,
                ),
                (
                    145,
                    30,
                    180,
                ),
                (
                    70,
                    240,
                    240,
                ),
                (
                    240,
                    50,
                    230,
                ),
                (
                    210,
                    245,
                    60,
                ),
                (
                    250,
                    190,
                    212,
                ),
            ]),
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(keep_ratio=True, scale=(
                160,
                160,
            ), type='Resize'),
            dict(type='LoadAnnotations', with_bbox=True),
            dict(
                meta_keys=(
                    'img_id',
                    'img_path',
                    'ori_shape',
                    'img_shape',
                    'scale_factor',
                ),
                type='PackDetInputs'),
        ],
        test_mode=True,
        type='CocoDataset'),
    drop_last=False,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(_scope_='mmdet', shuffle=False, type='DefaultSampler'))
val_evaluator = dict(
    _scope_='mmdet',
    ann_file='/work/runs/data/aw_demo/annotations/instances_val.json',
    backend_args=None,
    format_only=False,
    metric='bbox',
    type='CocoMetric')
val_interval = 540
vis_backends = [
    dict(_scope_='mmdet', type='LocalVisBackend'),
]
visualizer = dict(
    _scope_='mmdet',
    name='visualizer',
    type='DetLocalVisualizer',
    vis_backends=[
        dict(type='LocalVisBackend'),
    ])
width = 128
work_dir = '/work/main/results/v3/detection/final/runs/aw/seed7'
