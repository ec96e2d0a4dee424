"""Per case, variants built alike, timed interleaved, sized, profiled; memory in fresh processes."""
import platform
import time

import torch

from .flops import model_size
from .memory import probe, release_free_heap
from .models import build
from .timing import breakdown, paired_ratios, time_many
from .variants import BASELINE

MEASURES = ('time', 'memory', 'size')


def run_suite(cases, device='cpu', threads=2, reps=5, warmup=1, measures=MEASURES, amp=False,
              profile=(), log=print):
    """One row per case: its fields, measures per variant, and ``ratios`` over the baseline's.

    Args:
        cases (list[Case]): What to measure (cases.select).
        device (str): Defaults to 'cpu'.
        threads (int): CPU threads of the memory probes (the caller pins its own). Defaults to 2.
        reps (int): Timed repetitions per variant. Defaults to 5.
        warmup (int): Untimed steps per variant first. Defaults to 1.
        measures (Sequence[str]): Which of ``MEASURES`` to take. Defaults to all.
        amp (bool): Training steps under mixed precision (models.build). Defaults to False.
        profile (Sequence[str]): Names of cases to profile by kind of op. Defaults to none.
        log (callable): Progress lines. Defaults to print.
    """
    start = time.time()
    rows = []
    for case in cases:
        row = _run_case(case, device, reps, warmup, measures, amp, case.name in profile)
        if 'memory' in measures:  # after the case's models are freed
            row['memory'] = {v: probe(case, v, device, threads, amp) for v in case.variants}
        row['ratios'] = _ratios(row)
        rows.append(row)
        log(f'[benchmark] {case.name} ({time.time() - start:.0f} s)')
    return rows


def _run_case(case, device, reps, warmup, measures, amp, profile=False):
    entries = {v: build(case, v, device, amp) for v in case.variants}
    row = dict(name=case.name, what=case.what, model=case.model, mode=case.mode,
               input=list(case.size), batch=case.batch, variants=list(case.variants))
    steps = {v: e.step for v, e in entries.items()}
    if 'time' in measures:
        row['time'] = time_many(steps, reps, warmup, device)
    if profile:
        row['profile'] = breakdown(steps, device)
    if 'size' in measures:
        row['size'] = {v: model_size(e.model, e.data) for v, e in entries.items()}
    del entries, steps
    release_free_heap()  # the probes and the next case build their own
    return row


def _ratios(row):
    """Per variant, each measure over the baseline's (time: median/min/max of per-rep ratios)."""
    def over(value, base):
        return value / base if value is not None and base else None

    result = {v: {} for v in row['variants']}
    if 'time' in row:
        for v, r in paired_ratios(row['time'], BASELINE).items():
            result[v].update(time=r['median'], time_min=r['min'], time_max=r['max'])
    for measure, keys in (('memory', ('peak_mib', 'step_mib')), ('size', ('params', 'flops'))):
        for v, values in row.get(measure, {}).items():
            base = row[measure][BASELINE]
            result[v].update({key.replace('_mib', ''): over(values[key], base[key])
                              for key in keys})
    return result


def environment(device, threads, **settings):
    """The machine and settings a report states.

    Args:
        device (str): The device measured on.
        threads (int): CPU threads of the run.
        **settings: Stated as given (quick, reps, amp, ...).
    """
    cpu = platform.processor() or platform.machine()
    try:
        with open('/proc/cpuinfo') as f:
            cpu = next(line.split(':', 1)[1].strip() for line in f
                       if line.startswith('model name'))
    except (OSError, StopIteration):
        pass
    return dict(device=device, threads=threads, torch=torch.__version__, cpu=cpu,
                gpu=torch.cuda.get_device_name() if device.startswith('cuda') else None,
                **settings)
