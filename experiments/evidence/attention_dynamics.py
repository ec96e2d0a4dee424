"""How the attention learns: per AW stage, attention vs conv weight gradients and updates, |A - 1|.

The logit layers start at zero and their gradient is the conv's weight gradient times the weight
they modulate (dL/dz = dL/dW' * W * 2 sigma'(z)), so it shrinks with |W|; this hook measures that
instead of guessing it. Add it to any AW training config::

    custom_imports = dict(imports=['aw_mmdet', 'experiments.evidence.attention_dynamics'])
    custom_hooks = [dict(type='AttentionDynamicsHook', interval=20)]

and read ``<work_dir>/attention_dynamics.jsonl`` (one JSON object per recorded iteration).
"""
import contextlib
import json
import os.path as osp

import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.registry import HOOKS

from aw_mmdet.ops import aw_convs, recording_attention

from ..harness.attention import AbsDevStats, stage_of


def _rms(t: torch.Tensor) -> float:
    return float(t.detach().float().pow(2).mean().sqrt())


@HOOKS.register_module()
class AttentionDynamicsHook(Hook):
    """Every ``interval`` iterations, per AW stage: RMS of the logit-layer and conv weights, their
    gradient and update (after the optimizer step), and mean / p99 / max of |A - 1| on the batch.

    Args:
        interval (int): Record every this many iterations (and the first). Defaults to 20.
        out_file (str): File name in the work dir. Defaults to 'attention_dynamics.jsonl'.
    """

    priority = 'LOW'

    def __init__(self, interval: int = 20, out_file: str = 'attention_dynamics.jsonl'):
        self.interval = interval
        self.out_file = out_file
        self._grads = {}
        self._stack = None

    def before_train(self, runner):
        self._convs = aw_convs(self._model(runner))
        self._path = osp.join(runner.work_dir, self.out_file)
        open(self._path, 'w').close()
        self._tracked = {}
        for name, conv in self._convs.items():
            layers = conv.attention.logit_layers()
            params = [(f'logit{i}', layer.weight) for i, layer in enumerate(layers)]
            for kind, param in params + [('weight', conv.weight)]:
                if not param.requires_grad:  # a frozen stage
                    continue
                key = (stage_of(name), name, kind)
                self._tracked[key] = param
                param.register_hook(lambda g, key=key: self._grads.__setitem__(key, _rms(g)))
        self._generator = torch.Generator().manual_seed(0)

    def _recording(self, runner):
        return runner.iter == 0 or (runner.iter + 1) % self.interval == 0

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if not self._convs or not self._recording(runner):
            return
        self._before = {k: p.detach().clone() for k, p in self._tracked.items()}
        self._grads.clear()
        self._stages = {}

        def on_attention(name, attention):
            self._stages.setdefault(stage_of(name), AbsDevStats(self._generator)).add(attention)

        self._stack = contextlib.ExitStack()
        self._stack.enter_context(recording_attention(self._model(runner), on_attention))

    @staticmethod
    def _model(runner):
        return runner.model.module if is_model_wrapper(runner.model) else runner.model

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        if self._stack is None:
            return
        self._stack.close()
        self._stack = None
        row = dict(iter=runner.iter + 1, stages={})
        for stage in sorted({k[0] for k in self._tracked}):
            parts = {}
            for kind in ('logit', 'weight'):
                keys = [k for k in self._tracked if k[0] == stage and k[2].startswith(kind)]
                params = [self._tracked[k] for k in keys]
                updates = [self._tracked[k].detach() - self._before[k] for k in keys]
                grads = [self._grads.get(k, 0.0) for k in keys]
                parts[kind] = dict(
                    rms=sum(_rms(p) for p in params) / len(params),
                    update_rms=sum(_rms(u) for u in updates) / len(updates),
                    grad_rms=sum(grads) / len(grads))
            parts['abs_a_minus_1'] = self._stages[stage].summary() if stage in self._stages \
                else None
            row['stages'][stage] = parts
        with open(self._path, 'a') as f:
            f.write(json.dumps(row) + '\n')
