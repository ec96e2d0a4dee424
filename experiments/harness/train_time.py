"""Training time of a run from its mmengine log, for runs whose wall clock includes pauses.

Evidence trainings were sometimes paused (SIGSTOP) so benchmarks could be timed alone
(docs/evidence_protocol.md sections 2-4). Each ``Iter(train) [i/N] ... time: t`` line gives the
mean seconds per iteration over the last ``window`` iterations, so windows that do not overlap add
up to the training time (validation excluded). A window that held a pause is many times the
typical one; it is replaced by the median window, and such windows are counted.
"""
import os.path as osp
import re
import statistics

_TRAIN_LINE = re.compile(r'Iter\(train\) \[\s*(\d+)/(\d+)\].*?\btime: ([0-9.]+)')
PAUSE_FACTOR = 3.0


def train_seconds(log_text, window=None):
    """(seconds, paused_windows): training time from the text of an mmengine train log.

    Args:
        log_text (str): the whole log; if the run was restarted, only its last attempt counts.
        window (int, optional): LogProcessor's window_size. Defaults to the logged one (or 50).

    Raises:
        ValueError: no ``Iter(train)`` line, or the logged iterations do not tile the run.
    """
    if window is None:
        found = re.search(r'window_size=(\d+)', log_text)
        window = int(found.group(1)) if found else 50
    times = {}
    for match in _TRAIN_LINE.finditer(log_text):
        iteration, seconds = int(match.group(1)), float(match.group(3))
        if iteration in times or (times and iteration < max(times)):
            times = {}  # a restarted run
        times[iteration] = seconds
    if not times:
        raise ValueError('no "Iter(train) [...] time: ..." line in the log')
    # windows ending at the last iteration, then every `window` iterations before it
    ends, end = [], max(times)
    while end > window:
        ends.append(end)
        end -= window
    if end not in times:
        raise ValueError(f'iteration {end} is not logged: the windows do not tile the run')
    missing = [e for e in ends if e not in times]
    if missing:
        raise ValueError(f'iterations {missing} are not logged: the windows do not tile the run')
    pieces = [(times[e] * window) for e in ends] + [times[end] * end]
    typical = statistics.median(times[e] for e in ends) * window if ends else pieces[-1]
    paused = [p > PAUSE_FACTOR * typical for p in pieces[:-1]]
    total = sum(typical if was_paused else p for p, was_paused in zip(pieces, paused))
    return total + pieces[-1], sum(paused)


def run_train_seconds(run_dir):
    """(seconds, paused_windows) of a finished run from its ``train.log`` (harness/runs.py).

    Raises:
        OSError: the log is missing. ValueError: as ``train_seconds``.
    """
    with open(osp.join(run_dir, 'train.log')) as f:
        return train_seconds(f.read())
