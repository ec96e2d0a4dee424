"""Interleaved timing of a case's variants, so drift and noise hit every variant equally."""
import statistics
import time

import torch


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
