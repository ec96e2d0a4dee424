"""Peak memory of detector steps, in a fresh process so peaks of other models do not mix in.

python -m experiments.benchmark.memory_probe SPEC_JSON -> one JSON line {"peaks_mib": [...]}
SPEC_JSON: {"config": ..., "model_overrides": {...} or null, "device": ..., "threads": ...,
            "steps": [{"mode": "inference" | "train", "size": [H, W], "batch": N, "lr": ...}, ...]}

Each step runs twice, then its peak is read: on CPU the peak RSS of this process in MiB (VmHWM:
libraries, model and step together), on CUDA ``torch.cuda.max_memory_allocated`` in MiB. The
first step's peak is that of a fresh process with only the model built. Before each later step the
free heap is returned to the kernel and VmHWM is reset to the current RSS, so its peak is the same
model's plus that step's; where the reset is unavailable it is reported as null and the caller
measures it in a process of its own.
"""
import json
import os.path as osp
import subprocess
import sys

import torch

from .rss import peak_rss_mib, release_free_heap, reset_peak

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def probe_peaks_mib(config, steps, device, threads, model_overrides=None):
    """Peaks of ``steps`` of one detector, one fresh process (the caller's side).

    Args:
        config (str): An mmdet config file.
        steps (list[dict]): mode ('train' or 'inference'), size [H, W], batch, and optionally lr
            (SGD learning rate of a training step; ``train_step_fn``'s default otherwise).
        device (str): 'cpu' or a CUDA device.
        threads (int): CPU threads of the probe.
        model_overrides (dict, optional): Merged into the config's model. Defaults to None.

    Returns:
        list[float]: MiB per step, in order.
    """
    spec = dict(config=config, model_overrides=model_overrides, device=device, threads=threads,
                steps=steps)
    cmd = [sys.executable, '-m', 'experiments.benchmark.memory_probe', json.dumps(spec)]
    out = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout
    peaks = json.loads(out.strip().splitlines()[-1])['peaks_mib']
    for i, peak in enumerate(peaks):
        if peak is None:  # no peak reset here: this step gets a process of its own
            peaks[i] = probe_peaks_mib(config, [steps[i]], device, threads, model_overrides)[0]
    return peaks


def probe_peak_mib(config, mode, size, batch, device, threads):
    """Peak of one step of one detector in a fresh process (the stock-vs-AW table's probe)."""
    step = dict(mode=mode, size=list(size), batch=batch)
    return probe_peaks_mib(config, [step], device, threads)[0]


def main(argv):
    spec = json.loads(argv[0])
    device = spec['device']
    torch.set_num_threads(int(spec.get('threads') or torch.get_num_threads()))
    import aw_mmdet  # noqa: F401
    from aw_mmdet.utils import tune_glibc_malloc
    tune_glibc_malloc()  # as tools/train.py does
    from experiments.benchmark.detector_bench import (
        build_detector,
        inference_fn,
        synthetic_batch,
        train_step_fn,
    )
    model = build_detector(spec['config'], device, spec.get('model_overrides'))
    peaks = []
    for i, s in enumerate(spec['steps']):
        data = synthetic_batch(s['batch'], *s['size'], device=device)
        if s['mode'] == 'train':
            step = train_step_fn(model, data, **({'lr': s['lr']} if 'lr' in s else {}))
        else:
            step = inference_fn(model, data)
        if device.startswith('cuda'):
            torch.cuda.reset_peak_memory_stats()
        elif i > 0:
            release_free_heap()
            if not reset_peak():
                peaks.append(None)
                continue
        for _ in range(2):
            step()
        peaks.append(torch.cuda.max_memory_allocated() / 2 ** 20 if device.startswith('cuda')
                     else peak_rss_mib())
        model.zero_grad(set_to_none=True)
        del step, data
    print(json.dumps(dict(peaks_mib=peaks)))


if __name__ == '__main__':
    main(sys.argv[1:])
