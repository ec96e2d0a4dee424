"""Interleaved timing of two callables (stock vs AW) so drift and noise hit both equally."""
import statistics
import time

import torch


def _sync(device):
    if str(device).startswith('cuda'):
        torch.cuda.synchronize()


def time_pair(stock_fn, aw_fn, reps=5, warmup=1, device='cpu'):
    """Run warm-up, then alternate stock/AW ``reps`` times; return per-side stats in seconds."""
    for _ in range(warmup):
        stock_fn(), aw_fn()
    _sync(device)
    samples = {'stock': [], 'aw': []}
    for i in range(reps):
        order = ((('stock', stock_fn), ('aw', aw_fn)) if i % 2 == 0
                 else (('aw', aw_fn), ('stock', stock_fn)))
        for name, fn in order:
            start = time.perf_counter()
            fn()
            _sync(device)
            samples[name].append(time.perf_counter() - start)
    return {name: summarize(values) for name, values in samples.items()}


def summarize(values):
    ordered = sorted(values)
    return dict(median=statistics.median(ordered), min=ordered[0], max=ordered[-1], n=len(ordered))


def ratio(stats):
    return stats['aw']['median'] / stats['stock']['median']
