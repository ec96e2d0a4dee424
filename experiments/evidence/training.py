"""Run one training with the stock loop (tools/train.py in a subprocess, so every run starts from a
fresh process) and read back its validation curve and wall time."""
import glob
import json
import os
import os.path as osp
import subprocess
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
METRICS = ('coco/bbox_mAP', 'coco/bbox_mAP_50')


class TrainingFailed(RuntimeError):
    """tools/train.py exited non-zero; the message names the run and its log file."""


def train(config_path, work_dir, env=None):
    """Train; return (wall seconds, log path). The full log is kept in work_dir/train.log."""
    log_path = osp.join(work_dir, 'train.log')
    cmd = [sys.executable, osp.join(ROOT, 'tools', 'train.py'), config_path, '--work-dir', work_dir]
    start = time.time()
    with open(log_path, 'w') as log:
        proc = subprocess.run(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                              env={**os.environ, **(env or {})})
    seconds = time.time() - start
    if proc.returncode != 0:
        with open(log_path) as f:
            tail = f.read()[-3000:]
        raise TrainingFailed(f'training {work_dir} failed (exit {proc.returncode}); full log: '
                             f'{log_path}\n{tail}')
    return seconds, log_path


def validation_curve(work_dir):
    """[(iteration, {metric: value})] from the run's vis_data/scalars.json (LocalVisBackend)."""
    files = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))
    if not files:
        raise FileNotFoundError(f'no */vis_data/scalars.json under {work_dir}: the config needs '
                                "mmdet's LocalVisBackend to record validation metrics")
    curve = []
    with open(files[-1]) as f:
        for line in f:
            row = json.loads(line)
            if METRICS[0] in row:
                curve.append((int(row['step']), {m: float(row[m]) for m in METRICS}))
    if not curve:
        raise ValueError(f'{files[-1]} holds no {METRICS[0]}: did validation run?')
    return curve


def last_checkpoint(work_dir):
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        return f.read().strip()
