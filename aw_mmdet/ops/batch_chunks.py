"""How many samples an AW conv handles at once on CPU, so its weight-sized tensors stay small.

AW materialises per-sample weights (and, in backward, their gradients): N x D x C/g x Kh x Kw
floats, e.g. 151 MB for a 512-channel 3x3 conv at batch 16. glibc serves any allocation of 32 MB
or more with fresh mmap pages (its mmap threshold cannot be raised above that, even by
``tune_glibc_malloc``), and every one of those pages faults on first touch, on every call: a
weight-sized elementwise pass then runs about four times slower than on reused heap memory
(measured on 2 cores: 1.0 vs 0.25 ns per element). Splitting the batch into chunks whose
per-sample tensors stay under 32 MB avoids that; each sample's result is the same, since the
attention and the per-sample conv never mix samples. CUDA's caching allocator has no such cost.
"""
import torch

#: glibc's largest mmap threshold (HEAP_MAX_SIZE / 2 on 64-bit): allocations from here up are
#: mmapped.
MMAP_BYTES = 32 * 1024 * 1024


def batch_chunks(x: torch.Tensor, weight: torch.Tensor):
    """Number of near-equal batch chunks for AW on ``x`` with ``weight`` (D, C/g, Kh, Kw), or
    None for no split (``x.tensor_split(n)`` makes the chunks).

    None on non-CPU devices, under tracing (a traced graph must keep the batch dynamic), and
    whenever the whole batch's per-sample weights fit under ``MMAP_BYTES``.
    """
    if x.device.type != 'cpu' or torch.jit.is_tracing():
        return None
    per_sample = weight.numel() * max(weight.element_size(), x.element_size())
    if x.shape[0] * per_sample < MMAP_BYTES:
        return None
    most = max(1, (MMAP_BYTES - 1) // per_sample)
    return -(-x.shape[0] // most)
