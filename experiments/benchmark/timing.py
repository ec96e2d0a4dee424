"""Interleaved timing of callables (stock vs AW, or a conv and its peers) so drift and noise hit
every side equally."""
import statistics
import time

import torch


def _sync(device):
    if str(device).startswith('cuda'):
        torch.cuda.synchronize()


def time_many(fns, reps=5, warmup=1, device='cpu'):
    """Time several callables in one loop, each repetition in a rotated order.

    Rotating (rep i starts at callable i mod n) gives every callable every position equally
    often, so a slow first call after another model's work, or a machine that slows down over
    the run, does not favour one side.

    Args:
        fns (dict): name -> callable taking no arguments.
        reps (int): Timed repetitions per callable. Defaults to 5.
        warmup (int): Untimed calls per callable first. Defaults to 1.
        device (str): CUDA devices are synchronized around each call. Defaults to 'cpu'.

    Returns:
        dict: name -> ``summarize`` of its times in seconds.
    """
    names = list(fns)
    for _ in range(warmup):
        for name in names:
            fns[name]()
    _sync(device)
    samples = {name: [] for name in names}
    for i in range(reps):
        start_at = i % len(names)
        for name in names[start_at:] + names[:start_at]:
            start = time.perf_counter()
            fns[name]()
            _sync(device)
            samples[name].append(time.perf_counter() - start)
    return {name: summarize(values) for name, values in samples.items()}


def time_pair(stock_fn, aw_fn, reps=5, warmup=1, device='cpu'):
    """Run warm-up, then alternate stock/AW ``reps`` times; return per-side stats in seconds."""
    return time_many({'stock': stock_fn, 'aw': aw_fn}, reps=reps, warmup=warmup, device=device)


def summarize(values):
    ordered = sorted(values)
    return dict(median=statistics.median(ordered), min=ordered[0], max=ordered[-1], n=len(ordered))


def ratio(stats):
    return stats['aw']['median'] / stats['stock']['median']


def ratios_to(stats, baseline):
    """Median of each side over the median of ``baseline`` (a key of ``stats``)."""
    return {name: s['median'] / stats[baseline]['median'] for name, s in stats.items()}
