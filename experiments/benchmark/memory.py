"""Peak memory of benchmark steps, in a fresh process so other models' peaks do not mix in."""
import ctypes
import ctypes.util
import dataclasses
import gc
import json
import subprocess
import sys

import torch

from .timing import is_cuda, sync
from .variants import ROOT


def _status_mib(field):
    """A /proc/self/status field in MiB; VmHWM, as ru_maxrss keeps the parent's across exec."""
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith(field + ':'):
                return int(line.split()[1]) / 1024
    raise OSError(f'{field} not in /proc/self/status')


def release_free_heap():
    """gc and malloc_trim, so memory the last step freed is not resident at the next peak."""
    gc.collect()
    try:
        ctypes.CDLL(ctypes.util.find_library('c') or 'libc.so.6').malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: freed memory may stay resident
        pass


def _resident_mib(device):
    return torch.cuda.memory_allocated() / 2 ** 20 if is_cuda(device) else _status_mib('VmRSS')


def _peak_mib(device):
    return torch.cuda.max_memory_allocated() / 2 ** 20 if is_cuda(device) else _status_mib('VmHWM')


def _reset_peak(device):
    """Set the peak to what is in use now; False if that fails (CPU: clear_refs, Linux >= 4.0)."""
    if is_cuda(device):
        sync(device)
        torch.cuda.reset_peak_memory_stats()
        return True
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
        return True
    except OSError:
        return False


def step_peak_mib(step, device):
    """MiB one call of ``step()`` on ``device`` adds at its peak over what was resident; None if
    the peak cannot be reset."""
    release_free_heap()
    before = _resident_mib(device)
    if not _reset_peak(device):
        return None
    step()
    sync(device)
    return _peak_mib(device) - before


def probe(case, variant, device='cpu', threads=2, amp=False):
    """The process's peak and what a step adds after a warm-up step (MiB; None: unmeasurable).

    Args:
        case (Case): What to build.
        variant (str): One of its variants.
        device (str): 'cpu' or a CUDA device. Defaults to 'cpu'.
        threads (int): CPU threads of the probe. Defaults to 2.
        amp (bool): As ``models.build``. Defaults to False.
    """
    spec = dict(case=dataclasses.asdict(case), variant=variant, device=device, threads=threads,
                amp=amp)
    cmd = [sys.executable, '-m', 'experiments.benchmark.memory', json.dumps(spec)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f'memory probe failed ({proc.returncode}): {proc.stderr[-3000:]}')
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv):
    spec = json.loads(argv[0])
    device = spec['device']
    torch.set_num_threads(int(spec['threads']))
    from aw_mmdet.utils import tune_glibc_malloc
    tune_glibc_malloc()  # as tools/train.py and the timing process do
    from .cases import Case
    from .models import build
    case = Case(**{k: tuple(v) if isinstance(v, list) else v for k, v in spec['case'].items()})
    entry = build(case, spec['variant'], device, spec['amp'])
    entry.step()
    sync(device)
    first = _peak_mib(device)
    step = step_peak_mib(entry.step, device)
    peak = first if step is None else max(first, _peak_mib(device))
    print(json.dumps(dict(peak_mib=peak, step_mib=step)))

if __name__ == '__main__':
    main(sys.argv[1:])
