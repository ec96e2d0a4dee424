"""Peak memory of one detector step, in a fresh process so peaks of other models do not mix in.

python -m experiments.benchmark.memory_probe CONFIG {train,inference} H W BATCH DEVICE -> JSON line
(CPU: peak RSS of this process in MiB, VmHWM; CUDA: torch.cuda.max_memory_allocated in MiB).
"""
import json
import resource
import sys

import torch


def _peak_rss_mib():
    """VmHWM of this process. Not ru_maxrss: Linux carries the parent's high-water mark across
    fork+exec into ru_maxrss, so a probe started from a big benchmark process reported the parent's
    peak (the same 8982 MiB for every probe)."""
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv):
    config, mode, device = argv[0], argv[1], argv[5]
    h, w, batch = int(argv[2]), int(argv[3]), int(argv[4])
    torch.set_num_threads(int(argv[6]) if len(argv) > 6 else torch.get_num_threads())
    import aw_mmdet  # noqa: F401
    from aw_mmdet.utils import tune_glibc_malloc
    tune_glibc_malloc()  # as tools/train.py does
    from experiments.benchmark.detector_bench import (
        build_detector,
        inference_fn,
        synthetic_batch,
        train_step_fn,
    )
    model = build_detector(config, device)
    data = synthetic_batch(batch, h, w, device=device)
    step = train_step_fn(model, data) if mode == 'train' else inference_fn(model, data)
    if device.startswith('cuda'):
        torch.cuda.reset_peak_memory_stats()
    for _ in range(2):
        step()
    if device.startswith('cuda'):
        peak = torch.cuda.max_memory_allocated() / 2 ** 20
    else:
        peak = _peak_rss_mib()
    print(json.dumps(dict(config=config, mode=mode, peak_mib=peak)))


if __name__ == '__main__':
    main(sys.argv[1:])
