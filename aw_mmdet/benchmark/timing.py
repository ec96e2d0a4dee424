"""Interleaved timing of two callables (stock vs AW) so drift and noise hit both equally."""
import statistics
import time

import torch


def _sync(device):
    if str(device).startswith('cuda'):
        torch.cuda.synchronize()


def time_pair(stock_fn, aw_fn, reps=5, warmup=1, device='cpu'):
    """Run warm-up, then alternate stock/AW ``reps`` times; return per-side stats in seconds."""
    return time_interleaved(dict(stock=stock_fn, aw=aw_fn), reps, warmup, device)


def time_interleaved(fns, reps=5, warmup=1, device='cpu'):
    """Warm up each callable, then run them in turn ``reps`` times, rotating the order each
    round so no one always runs first; return per-name stats in seconds."""
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    _sync(device)
    names = list(fns)
    samples = {name: [] for name in names}
    for i in range(reps):
        for name in names[i % len(names):] + names[:i % len(names)]:
            start = time.perf_counter()
            fns[name]()
            _sync(device)
            samples[name].append(time.perf_counter() - start)
    return {name: summarize(values) for name, values in samples.items()}


def summarize(values):
    ordered = sorted(values)
    return dict(median=statistics.median(ordered), min=ordered[0], max=ordered[-1], n=len(ordered))


def ratio(stats):
    return stats['aw']['median'] / stats['stock']['median']
