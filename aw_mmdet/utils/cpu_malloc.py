"""Keep freed memory in the process on CPU, so big tensors do not page-fault on every allocation.

glibc serves allocations above a dynamic threshold (at most 32 MB) with fresh mmap pages and gives
freed heap tops back to the OS; a training step that allocates and frees the same large tensors
every iteration then pays a page fault per 4 KB page, each time, and AW's weight-sized tensors
(N x D x C/g x Kh x Kw) hit that on every step (docs/benchmarks.md has the measurement). It is the
same idea as running PyTorch with jemalloc/tcmalloc; stock and AW models both get it.
Opt out with AW_MMDET_MALLOC_TUNING=0.
"""
import ctypes
import ctypes.util
import os
import sys

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
# glibc caps the mmap threshold at 32 MB (HEAP_MAX_SIZE / 2 on 64-bit) when set by mallopt.
MMAP_THRESHOLD_BYTES = 32 * 1024 * 1024
TRIM_THRESHOLD_BYTES = 1024 * 1024 * 1024


def tune_glibc_malloc() -> bool:
    """Raise glibc's mmap and trim thresholds; return True if applied (Linux glibc only)."""
    if os.environ.get('AW_MMDET_MALLOC_TUNING', '1') == '0' or not sys.platform.startswith('linux'):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library('c') or 'libc.so.6')
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # musl or another libc: nothing to tune
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)) and bool(
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES))
