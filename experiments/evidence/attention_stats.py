"""How far a trained detector's AW attention has moved from its identity start (A == 1).

Measured on real inputs (a few val images), because A depends on each conv's input: mean and max
of |A - 1| over every AW conv, weight and image, and mean / p99 / max per ResNet stage. A variant
without AW reports None.
"""
import glob
import os.path as osp

import torch

from aw_mmdet.ops import aw_convs, recording_attention

from .abs_dev_stats import AbsDevStats, stage_of


def attention_stats(config_path, checkpoint, image_dir, num_images=8):
    """{'mean_abs_dev', 'max_abs_dev', 'stages': {stage: {'mean', 'p99', 'max'}}, 'num_aw_convs',
    'num_images'} of |A - 1|, or None without AW convs."""
    from mmdet.apis import inference_detector, init_detector
    model = init_detector(config_path, checkpoint, device='cpu')
    convs = aw_convs(model)
    if not convs:
        return None
    images = sorted(glob.glob(osp.join(image_dir, '*.jpg')))[:num_images]
    if not images:
        raise FileNotFoundError(f'no .jpg images in {image_dir} to measure the attention on')
    sums = dict(total=0.0, count=0, max=0.0)
    stages, generator = {}, torch.Generator().manual_seed(0)

    def accumulate(name, attention):
        dev = (attention.float() - 1).abs()
        sums['total'] += float(dev.sum())
        sums['count'] += dev.numel()
        sums['max'] = max(sums['max'], float(dev.max()))
        stages.setdefault(stage_of(name), AbsDevStats(generator)).add(attention)

    with recording_attention(model, accumulate), torch.no_grad():
        for image in images:
            inference_detector(model, image)
    return dict(mean_abs_dev=sums['total'] / sums['count'], max_abs_dev=sums['max'],
                stages={k: v.summary() for k, v in sorted(stages.items())},
                num_aw_convs=len(convs), num_images=len(images))
