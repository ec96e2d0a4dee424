"""Peak memory of benchmark steps, in a fresh process so other models' peaks do not mix in.

:func:`probe` runs this module on a JSON spec of the entries. CPU reads the peak RSS (VmHWM), CUDA
``torch.cuda.max_memory_allocated``. Per entry: build it, run its step once (one-time caches such
as oneDNN's primitives belong to no step), read the peak; free the heap, note what is resident,
reset the peak and run the step again. ``peak_mib`` is the process's peak (CPU: libraries, model
and step; a fresh process's only for the first entry); ``step_mib`` what the second step adds at
its peak over what was resident before it.
"""
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
    """A /proc/self/status field (VmRSS, VmHWM) in MiB. VmHWM, not ru_maxrss: Linux carries the
    parent's high-water mark across fork+exec into ru_maxrss, so every probe read the parent's."""
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith(field + ':'):
                return int(line.split()[1]) / 1024
    raise OSError(f'{field} not in /proc/self/status')


def release_free_heap():
    """Collect garbage and hand glibc's free heap back to the kernel (malloc_trim), so memory the
    last step freed is not resident when the next peak is read."""
    gc.collect()
    try:
        ctypes.CDLL(ctypes.util.find_library('c') or 'libc.so.6').malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: freed memory may stay resident
        pass


def _resident_mib(device):
    """What is in use now: RSS on CPU, allocated tensors on CUDA."""
    return torch.cuda.memory_allocated() / 2 ** 20 if is_cuda(device) else _status_mib('VmRSS')


def _peak_mib(device):
    """The peak since the process started or ``reset_peak``."""
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
    """MiB a call of ``step`` adds at its peak over what was resident; None if unresettable.

    Args:
        step (callable): Called once, without arguments.
        device (str): 'cpu' or a CUDA device.
    """
    release_free_heap()
    before = _resident_mib(device)
    if not _reset_peak(device):
        return None
    step()
    sync(device)
    return _peak_mib(device) - before


def probe(entries, device='cpu', threads=2, amp=False):
    """Memory of ``entries``, measured in order in one fresh process (the caller's side).

    Args:
        entries (list): (Case, variant) pairs.
        device (str): 'cpu' or a CUDA device. Defaults to 'cpu'.
        threads (int): CPU threads of the probe. Defaults to 2.
        amp (bool): As ``models.build``. Defaults to False.

    Returns:
        list[dict]: per entry, peak_mib and step_mib (None where unmeasurable).
    """
    spec = dict(entries=[[dataclasses.asdict(case), variant] for case, variant in entries],
                device=device, threads=threads, amp=amp)
    cmd = [sys.executable, '-m', 'experiments.benchmark.memory', json.dumps(spec)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f'memory probe failed ({proc.returncode}): {proc.stderr[-3000:]}')
    return json.loads(proc.stdout.strip().splitlines()[-1])['peaks']


def main(argv):
    spec = json.loads(argv[0])
    device = spec['device']
    torch.set_num_threads(int(spec['threads']))
    from aw_mmdet.utils import tune_glibc_malloc
    tune_glibc_malloc()  # as tools/train.py and the timing process do
    from .cases import Case
    from .models import build
    peaks = []
    for i, (fields, variant) in enumerate(spec['entries']):
        if i:
            release_free_heap()
            _reset_peak(device)
        case = Case(**{k: tuple(v) if isinstance(v, list) else v for k, v in fields.items()})
        entry = build(case, variant, device, spec['amp'])
        entry.step()
        sync(device)
        first = _peak_mib(device)
        step = step_peak_mib(entry.step, device)
        peak = first if step is None else max(first, _peak_mib(device))
        peaks.append(dict(peak_mib=peak, step_mib=step))
        del entry
    print(json.dumps(dict(peaks=peaks)))


if __name__ == '__main__':
    main(sys.argv[1:])
