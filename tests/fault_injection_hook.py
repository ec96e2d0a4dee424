"""Test-only: kill a training process with SIGKILL at a chosen point, and record every iteration's
losses. Loaded by the tests through ``custom_imports`` (tests/ on PYTHONPATH).

``AW_KILL_AT`` picks the point:
  ``forward:N``          in the model's forward pass of iteration N (mid-iteration);
  ``write-half:NAME``    while checkpoint NAME is being written: half its bytes are on disk;
  ``write-full:NAME``    after all of NAME's bytes are written, before the save returns.
The write kills need ``default_hooks.checkpoint.backend_args=dict(backend='kill_on_write')``:
mmengine writes checkpoints through a file backend, and this one is mmengine's LocalBackend plus
the kill (registered with mmengine's public ``register_backend``).
"""
import json
import os
import os.path as osp
import signal

from mmengine.fileio import LocalBackend, register_backend
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.registry import HOOKS

LOSSES_FILE = 'losses.jsonl'
TESTS_DIR = osp.dirname(osp.abspath(__file__))
# The demo detector at a quarter of its width: 18 MB checkpoints instead of 125 MB, same code paths.
SMALL_MODEL = ['model.backbone.base_channels=16', 'model.neck.in_channels=[16,32,64,128]',
               'model.roi_head.bbox_head.fc_out_channels=128']


def write_config(path, base, extra=''):
    """A config inheriting ``base`` that loads this module and records losses."""
    path.write_text(f"_base_ = {str(base)!r}\n"
                    "custom_imports = dict(imports=['aw_mmdet', 'fault_injection_hook'], "
                    "allow_failed_imports=False)\n"
                    "custom_hooks = [dict(type='FaultInjectionHook')]\n" + extra)
    return path


def injection_env(kill_at=''):
    """Environment for tools/train.py: this directory importable, the kill point armed (or not)."""
    return dict(PYTHONPATH=os.pathsep.join(filter(None, [TESTS_DIR, os.environ.get('PYTHONPATH')])),
                AW_KILL_AT=kill_at)


def _kill_point():
    kind, _, arg = os.environ.get('AW_KILL_AT', '').partition(':')
    return kind, arg


def _die():
    os.kill(os.getpid(), signal.SIGKILL)


@register_backend('kill_on_write', force=True)
class KillOnWriteBackend(LocalBackend):
    def put(self, obj, filepath):
        kind, target = _kill_point()
        name = osp.basename(str(filepath))
        if kind not in ('write-half', 'write-full') or target not in name:
            return super().put(obj, filepath)
        with open(filepath, 'wb') as f:
            f.write(obj if kind == 'write-full' else obj[:len(obj) // 2])
            f.flush()
            os.fsync(f.fileno())
        _die()


@HOOKS.register_module()
class FaultInjectionHook(Hook):
    """Appends ``{"iter": N, "losses": {...}}`` to <work_dir>/losses.jsonl after every iteration
    (before FiniteLossHook can stop training) and arms the ``forward:N`` kill."""

    priority = 'VERY_HIGH'

    def before_train(self, runner):
        kind, arg = _kill_point()
        if kind == 'forward':
            model = runner.model.module if is_model_wrapper(runner.model) else runner.model

            def kill_in_forward(module, args):
                if runner.iter + 1 == int(arg):
                    _die()
            model.backbone.register_forward_pre_hook(kill_in_forward)

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        losses = {k: float(v) for k, v in outputs.items()}
        with open(osp.join(runner.work_dir, LOSSES_FILE), 'a') as f:
            f.write(json.dumps(dict(iter=runner.iter + 1, losses=losses)) + '\n')


def read_losses(work_dir):
    """{iteration: losses}; a re-run iteration (after a resume) keeps its last record."""
    records = {}
    with open(osp.join(work_dir, LOSSES_FILE)) as f:
        for line in f:
            record = json.loads(line)
            records[record['iter']] = record['losses']
    return records
