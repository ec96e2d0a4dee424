"""Small feature maps, where AW costs most: training-step time of stock and AW models at
classification-size inputs, and where AW's extra time goes (issue 18, item 3).

AW's extra work per conv is weight-sized and per sample (N x D x C/g x Kh x Kw: the attention
map, the modulated weights, their gradients), while the conv's own work scales with the feature
map. So the smaller the map, the larger AW's share; ``breakdown`` shows it by kind of op.
"""
import copy
import os.path as osp

import torch
from mmdet.models.backbones import ResNet
from mmengine.config import Config

from aw_mmdet.models.backbones import AWResNet

from .detector_bench import build_detector, build_detector_from_cfg, synthetic_batch, train_step_fn
from .shared_weights import init_by_name
from .timing import time_many

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEMO_CFG = osp.join(ROOT, 'configs', 'demo', 'faster_rcnn_aw_demo.py')

#: name -> what is timed; sizes are (H, W)
CASES = {
    'demo': dict(what='demo detector (Faster R-CNN R18-FPN), training step', size=(160, 160),
                 batch=4),
    'r50_224': dict(what='ResNet-50 backbone alone, training step', depth=50, size=(224, 224),
                    batch=16),
    'r101_512': dict(what='Faster R-CNN R101-FPN, training step', size=(512, 512), batch=2),
}
QUICK_CASES = {
    'demo': dict(CASES['demo'], size=(96, 96), batch=2),
    'r50_224': dict(CASES['r50_224'], what='ResNet-18 backbone alone, training step', depth=18,
                    size=(64, 64), batch=2),
}

#: aten ops by kind, for the breakdown (self CPU time; every other op is 'other')
KINDS = {
    'conv (oneDNN)': ('aten::mkldnn_convolution', 'aten::convolution_backward'),
    'matmul (per-sample conv, heads)': ('aten::bmm', 'aten::mm', 'aten::addmm'),
    'im2col / col2im': ('aten::im2col', 'aten::col2im'),
    'elementwise and reductions': (
        'aten::mul', 'aten::mul_', 'aten::add', 'aten::add_', 'aten::sub', 'aten::sub_',
        'aten::sigmoid', 'aten::sigmoid_', 'aten::sigmoid_backward', 'aten::sum', 'aten::div',
        'aten::div_', 'aten::copy_', 'aten::fill_', 'aten::zero_'),
}


def _demo_pair(case, device):
    from experiments.evidence.variants import apply_variant
    base = Config.fromfile(DEMO_CFG)
    models = {v: build_detector_from_cfg(apply_variant(copy.deepcopy(base), v), device)
              for v in ('stock', 'aw')}
    data = synthetic_batch(case['batch'], *case['size'], device=device)
    classes = base.model.roi_head.bbox_head.num_classes
    for sample in data['data_samples']:
        sample.gt_instances.labels %= classes
    return {name: train_step_fn(m, data, lr=0.0) for name, m in models.items()}


def _backbone_step_fn(model, x):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.0, momentum=0.9)

    def run():
        model.train()
        loss = sum(out.mean() for out in model(x))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    return run


def _backbone_pair(case, device):
    """Stock mmdet ResNet and AWResNet with AW in stages 2-4 (the configs' setting), BN in train
    mode as in a classification step (mmdet's default ``norm_eval=True`` with fresh statistics
    would let the features grow to ~1e3 and saturate the attention: see bn_stats), the same
    weights by name."""
    models = dict(stock=ResNet(case['depth'], norm_eval=False),
                  aw=AWResNet(case['depth'], norm_eval=False,
                              stage_with_aw=(False, True, True, True)))
    for m in models.values():
        init_by_name(m)
        m.to(device)
    x = torch.randn(case['batch'], 3, *case['size'], generator=torch.Generator().manual_seed(0))
    return {name: _backbone_step_fn(m, x.to(device)) for name, m in models.items()}


def _r101_pair(case, device, stock_cfg, aw_cfg):
    data = synthetic_batch(case['batch'], *case['size'], device=device)
    return {name: train_step_fn(build_detector(cfg, device), data, lr=0.0)
            for name, cfg in (('stock', stock_cfg), ('aw', aw_cfg))}


def step_fns(name, case, device, stock_cfg, aw_cfg):
    """{'stock': fn, 'aw': fn}: one training step each, on the same input."""
    if name == 'demo':
        return _demo_pair(case, device)
    if name.startswith('r50'):
        return _backbone_pair(case, device)
    return _r101_pair(case, device, stock_cfg, aw_cfg)


def breakdown(fns, steps=2):
    """Self CPU time per step (ms) by kind of op (``KINDS``) for each side, from torch.profiler."""
    from torch.profiler import ProfilerActivity, profile
    kind_of = {op: kind for kind, ops in KINDS.items() for op in ops}
    result = {}
    for name, fn in fns.items():
        fn()
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            for _ in range(steps):
                fn()
        kinds = dict.fromkeys(list(KINDS) + ['other'], 0.0)
        for event in prof.key_averages():
            kinds[kind_of.get(event.key, 'other')] += event.self_cpu_time_total / 1e3 / steps
        result[name] = kinds
    return result


def bench_small_maps(cases, stock_cfg, aw_cfg, reps=5, device='cpu', profile_case='demo'):
    """Each case's stock and AW training step, interleaved; ``profile_case`` also profiled.

    Returns:
        list[dict]: name, what, size, batch, times (stats in s), ratio, and ``breakdown``
        (ms per step by kind of op, per side) for ``profile_case`` on CPU.
    """
    rows = []
    for name, case in cases.items():
        fns = step_fns(name, case, device, stock_cfg, aw_cfg)
        times = time_many(fns, reps=reps, device=device)
        row = dict(name=name, what=case['what'], size=list(case['size']), batch=case['batch'],
                   times=times, ratio=times['aw']['median'] / times['stock']['median'])
        if name == profile_case and device == 'cpu':
            row['breakdown'] = breakdown(fns)
        rows.append(row)
    return rows
