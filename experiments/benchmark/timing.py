"""A case's variants timed interleaved, so drift and noise hit every variant equally, and a step's
time by kind of op, to explain a missed target (AW's extra work is weight-sized, so its share grows
as maps shrink; docs/benchmarks.md)."""
import statistics
import time

import torch
from torch.autograd import DeviceType
from torch.profiler import ProfilerActivity, profile


def is_cuda(device):
    return str(device).startswith('cuda')


def sync(device):
    if is_cuda(device):
        torch.cuda.synchronize()


def time_many(fns, reps=5, warmup=1, device='cpu'):
    """Seconds per call with ``times``; order rotated per repetition so drift favours none.

    Args:
        fns (dict): name -> callable taking no arguments.
        reps (int): Timed repetitions per callable. Defaults to 5.
        warmup (int): Untimed calls per callable first. Defaults to 1.
        device (str): CUDA devices are synchronized around each call. Defaults to 'cpu'.
    """
    names = list(fns)
    for _ in range(warmup):
        for name in names:
            fns[name]()
    sync(device)
    samples = {name: [] for name in names}
    for i in range(reps):
        start_at = i % len(names)
        for name in names[start_at:] + names[:start_at]:
            start = time.perf_counter()
            fns[name]()
            sync(device)
            samples[name].append(time.perf_counter() - start)
    return {name: dict(_summarize(values), times=values) for name, values in samples.items()}


def _summarize(values):
    ordered = sorted(values)
    return dict(median=statistics.median(ordered), min=ordered[0], max=ordered[-1], n=len(ordered))


def paired_ratios(stats, baseline):
    """Per variant, ``_summarize`` of its time over the baseline's in each repetition.

    Args:
        stats (dict): ``time_many``'s result.
        baseline (str): A key of ``stats``.
    """
    base = stats[baseline]['times']
    return {name: _summarize([t / b for t, b in zip(s['times'], base)])
            for name, s in stats.items()}


#: kind -> aten ops (exact names, or a name part ending in '*'); every other op is 'other'
KINDS = {
    # AW's autograd nodes: their self time is the fused kernel (or PyTorch's modulation) at work
    'AW modulation (fused kernel)': ('GroupedConv', 'GroupedConvBackward', 'MatmulConv',
                                     'MatmulConvBackward', 'Modulation', 'ModulationBackward'),
    'conv (oneDNN, cuDNN)': ('conv*',),
    'matmul (per-sample conv, heads)': ('aten::bmm', 'aten::mm', 'aten::addmm', 'aten::baddbmm'),
    'im2col / col2im': ('aten::im2col', 'aten::col2im'),
    'elementwise and reductions': (
        'aten::mul', 'aten::mul_', 'aten::add', 'aten::add_', 'aten::sub', 'aten::sub_',
        'aten::sigmoid', 'aten::sigmoid_', 'aten::sigmoid_backward', 'aten::sum', 'aten::div',
        'aten::div_', 'aten::copy_', 'aten::fill_', 'aten::zero_'),
}


def _kind_of(op):
    for kind, names in KINDS.items():
        if any(op == n or (n.endswith('*') and n[:-1] in op) for n in names):
            return kind
    return 'other'


def breakdown(fns, device='cpu'):
    """ms per step by kind of op of each callable (CUDA: launching ops' time, no kernel twice).

    Args:
        fns (dict): name -> step callable.
        device (str): Defaults to 'cpu'.
    """
    cuda = is_cuda(device)
    activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if cuda else [])
    result = {}
    for name, fn in fns.items():
        fn()
        sync(device)
        with profile(activities=activities) as prof:
            for _ in range(2):
                fn()
            sync(device)
        kinds = dict.fromkeys(list(KINDS) + ['other'], 0.0)
        for event in prof.key_averages():
            if cuda and event.device_type != DeviceType.CPU:
                continue
            us = event.self_device_time_total if cuda else event.self_cpu_time_total
            kinds[_kind_of(event.key)] += us / 1e3 / 2
        result[name] = kinds
    return result


def profiled_device(device):
    """What ``breakdown`` counts on ``device``, for the report."""
    return 'self CUDA time of the launching ops' if is_cuda(device) else 'self CPU time'
