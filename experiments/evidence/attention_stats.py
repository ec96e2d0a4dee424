"""How far a trained detector's AW attention has moved from its identity start (A == 1).

Measured on real inputs (a few val images), because A depends on each conv's input: mean and max
of |A - 1| over every AW conv, weight and image. A variant without AW reports None.
"""
import glob
import os.path as osp

import torch

from aw_mmdet.ops import AWConv2d


def _attention_hooks(model, sums):
    """Pre-hooks that recompute A from each AW conv's input (AWConv2d may fuse A into its weights
    without ever materialising it, so hooking the attention module's output is not enough)."""
    def hook(conv, args):
        dev = (conv.attention(args[0]).float() - 1).abs()
        sums['total'] += float(dev.sum())
        sums['count'] += dev.numel()
        sums['max'] = max(sums['max'], float(dev.max()))
    return [m.register_forward_pre_hook(hook) for m in model.modules() if isinstance(m, AWConv2d)]


def attention_stats(config_path, checkpoint, image_dir, num_images=8):
    """{'mean_abs_dev', 'max_abs_dev', 'num_aw_convs'} of A - 1, or None without AW convs."""
    from mmdet.apis import inference_detector, init_detector
    model = init_detector(config_path, checkpoint, device='cpu')
    convs = [m for m in model.modules() if isinstance(m, AWConv2d)]
    if not convs:
        return None
    images = sorted(glob.glob(osp.join(image_dir, '*.jpg')))[:num_images]
    if not images:
        raise FileNotFoundError(f'no .jpg images in {image_dir} to measure the attention on')
    sums = dict(total=0.0, count=0, max=0.0)
    hooks = _attention_hooks(model, sums)
    try:
        with torch.no_grad():
            for image in images:
                inference_detector(model, image)
    finally:
        for h in hooks:
            h.remove()
    return dict(mean_abs_dev=sums['total'] / sums['count'], max_abs_dev=sums['max'],
                num_aw_convs=len(convs), num_images=len(images))
