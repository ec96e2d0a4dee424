"""Step time by kind of op, to explain a missed target: AW's extra work is weight-sized, so its
share grows as maps shrink (docs/benchmarks.md)."""
from torch.autograd import DeviceType
from torch.profiler import ProfilerActivity, profile

from .timing import is_cuda, sync

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
