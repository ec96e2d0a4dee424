"""Interleaved timing of a case's variants, so drift and noise hit every variant equally."""
import statistics
import time

import torch


def is_cuda(device):
    return str(device).startswith('cuda')


def sync(device):
    """Wait for the device's queued work (CUDA runs asynchronously)."""
    if is_cuda(device):
        torch.cuda.synchronize()


def time_many(fns, reps=5, warmup=1, device='cpu'):
    """Time several callables in one loop, each repetition in a rotated order.

    Rotating gives every callable every position equally often, so a slow first call after another
    model's work, or a machine that slows down over the run, does not favour one side.

    Args:
        fns (dict): name -> callable taking no arguments.
        reps (int): Timed repetitions per callable. Defaults to 5.
        warmup (int): Untimed calls per callable first. Defaults to 1.
        device (str): CUDA devices are synchronized around each call. Defaults to 'cpu'.

    Returns:
        dict: name -> ``_summarize`` of its times in seconds, with ``times`` in repetition order.
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
    """Per variant, ``_summarize`` of its time over the baseline's in each repetition (the two ran
    in the same repetition, so a ratio's spread is the noise between neighbours in time).

    Args:
        stats (dict): ``time_many``'s result.
        baseline (str): A key of ``stats``.
    """
    base = stats[baseline]['times']
    return {name: _summarize([t / b for t, b in zip(s['times'], base)])
            for name, s in stats.items()}
