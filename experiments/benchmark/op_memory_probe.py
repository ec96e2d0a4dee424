"""Peak memory of one op-level step per peer and shape, in a process of its own.

python -m experiments.benchmark.op_memory_probe SPEC_JSON -> one JSON line
SPEC_JSON: {"cases": [[C, H, W, stride, batch], ...], "peers": [...], "device": ..., "threads": ...}

What it measures: the memory a step adds on top of what is resident before it (the module, its
input, and a warm-up step's caches already in place, freed memory handed back):
- CPU: peak RSS minus RSS before the step. glibc's free memory is returned first (malloc_trim) and
  the kernel's high-water mark is reset to the current RSS (``/proc/self/clear_refs`` = 5,
  Linux >= 4.0), so each step's own peak is read from VmHWM; one process serves every
  measurement, and the heap a step frees does not hide the next step's peak.
- CUDA: ``torch.cuda.max_memory_allocated`` minus ``memory_allocated`` before the step (tensors
  only, not the caching allocator's reserve or cuDNN workspaces outside it).
Forward runs under ``no_grad`` (its peak is the output and workspaces); forward+backward keeps the
autograd graph, weight gradients and the input's gradient.
"""
import json
import subprocess
import sys

import torch

from .memory_probe import REPO_ROOT
from .peers import PeerUnavailable, build_peer
from .rss import release_free_heap, reset_peak, status_mib


def probe_op_peaks(cases, peers, device, threads):
    """Run this probe in a fresh process (the caller's side).

    Args:
        cases (list): [channels, H, W, stride, batch] per shape.
        peers (Sequence[str]): Names from ``peers.OP_PEERS``.
        device (str): 'cpu' or a CUDA device.
        threads (int): CPU threads of the probe.

    Returns:
        list[dict]: per case, name -> {forward_peak_mib, forward_backward_peak_mib} or
        {skipped: reason}.
    """
    spec = json.dumps(dict(cases=[list(c) for c in cases], peers=list(peers), device=device,
                           threads=threads))
    cmd = [sys.executable, '-m', 'experiments.benchmark.op_memory_probe', spec]
    out = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])['results']


def step_peak_mib(step, device):
    """MiB a call of ``step`` adds at its peak over what is resident (CPU) or allocated (CUDA)
    just before it."""
    if str(device).startswith('cuda'):
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        before = torch.cuda.memory_allocated()
        step()
        torch.cuda.synchronize()
        return (torch.cuda.max_memory_allocated() - before) / 2 ** 20
    release_free_heap()
    before = status_mib('VmRSS')
    if not reset_peak():
        raise OSError('cannot reset VmHWM (/proc/self/clear_refs): no per-step peak on this system')
    step()
    return status_mib('VmHWM') - before


def _steps(module, x, xg):
    def forward():
        with torch.no_grad():
            module(x)

    def forward_backward():
        module(xg).sum().backward()

    return (('forward', forward), ('forward_backward', forward_backward))


def measure_case(channels, h, w, stride, batch, peers, device):
    """name -> {forward_peak_mib, forward_backward_peak_mib} (or {skipped: reason}) at one shape."""
    torch.manual_seed(0)
    x = torch.randn(batch, channels, h, w, device=device)
    xg = x.clone().requires_grad_(True)
    rows = {}
    for name in peers:
        try:
            module = build_peer(name, channels, stride, device)
        except PeerUnavailable as why:
            rows[name] = dict(skipped=str(why))
            continue
        row = {}
        for mode, step in _steps(module, x, xg):
            step()  # warm-up: one-time caches (oneDNN primitives) are not the step's memory
            module.zero_grad(set_to_none=True)
            xg.grad = None
            row[f'{mode}_peak_mib'] = step_peak_mib(step, device)
            module.zero_grad(set_to_none=True)
            xg.grad = None
        rows[name] = row
    return rows


def main(argv):
    spec = json.loads(argv[0])
    torch.set_num_threads(int(spec.get('threads') or torch.get_num_threads()))
    from aw_mmdet.utils import tune_glibc_malloc
    tune_glibc_malloc()  # as tools/train.py and the timing process do
    results = [measure_case(*case, peers=spec['peers'], device=spec['device'])
               for case in spec['cases']]
    print(json.dumps(dict(results=results)))


if __name__ == '__main__':
    main(sys.argv[1:])
