"""Stop training at the first NaN/inf loss, before that iteration's ruined weights are saved."""
from typing import Optional

import torch
from mmengine.hooks import Hook
from mmengine.registry import HOOKS


class NonFiniteLossError(FloatingPointError):
    """A loss term the model returned is NaN or infinite."""


def non_finite_losses(outputs):
    """{name: value} of the loss terms in a train step's outputs that are not finite.

    Loss terms are the entries whose name contains 'loss' (mmengine's ``parse_losses`` sums
    exactly those, and puts their total under 'loss'); metrics such as 'acc' are not losses.
    """
    bad = {}
    for name, value in (outputs or {}).items():
        if 'loss' not in name:
            continue
        value = torch.as_tensor(value).detach()
        if not bool(torch.isfinite(value).all()):
            bad[name] = value.float().cpu().tolist() if value.numel() > 1 else value.item()
    return bad


@HOOKS.register_module()
class FiniteLossHook(Hook):
    """Raise :class:`NonFiniteLossError` naming the iteration and the non-finite loss terms.

    By ``after_train_iter`` the optimizer has already applied the iteration's NaN/inf gradients,
    so the weights are ruined; running before the checkpoint hook (ABOVE_NORMAL, it is VERY_LOW)
    and raising keeps them out of every checkpoint, so the last checkpoint is the last good one.
    mmdet's CheckInvalidLossHook is not enough: it checks only the total, every 50 iterations by
    default, with an ``assert`` (skipped under ``python -O``) that names neither.

    Takes no arguments: ``dict(type='FiniteLossHook')`` (configs/_base_/aw_runtime.py puts it in
    ``default_hooks``).
    """

    priority = 'ABOVE_NORMAL'

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs: Optional[dict] = None) -> None:
        bad = non_finite_losses(outputs)
        if not bad:
            return
        terms = ', '.join(f'{name}={value}' for name, value in bad.items())
        raise NonFiniteLossError(
            f'non-finite loss at iteration {runner.iter + 1} (epoch {runner.epoch + 1}): {terms}. '
            'Training stopped before this iteration was checkpointed; the last checkpoint in '
            f'{runner.work_dir} is intact (lower the learning rate or clip gradients, then '
            'resume with --resume).')
