"""Save the random number generators' states in every checkpoint and restore them on resume, so a
resumed run draws the same random samples (RPN/RoI sampling...) as an uninterrupted one."""
import random

import numpy as np
import torch
from mmengine.hooks import Hook
from mmengine.registry import HOOKS

KEY = 'rng_state'


def capture_rng_state():
    """Python, numpy and torch (and CUDA, when in use) generator states; only types that the
    safe checkpoint loader accepts (tuples, ints, numpy arrays, tensors)."""
    state = dict(python=random.getstate(), numpy=np.random.get_state(),
                 torch=torch.get_rng_state())
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state['cuda'] = torch.cuda.get_rng_state_all()
    return state


def restore_rng_state(state):
    random.setstate(_as_tuple(state['python']))
    np.random.set_state(_as_tuple(state['numpy']))
    torch.set_rng_state(state['torch'].cpu())
    if 'cuda' in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all([s.cpu() for s in state['cuda']])


def _as_tuple(value):
    return tuple(_as_tuple(v) for v in value) if isinstance(value, (list, tuple)) else value


class _RestoreAfterSkip:
    """The train loop's batch iterator, restoring the generators just before the first batch that
    the resumed run trains on. IterBasedTrainLoop first skips the ``skip`` batches trained before
    the checkpoint, and that skip draws random numbers (each exhausted DataLoader pass re-creates
    its iterator, which draws a seed); restoring after it leaves the generators exactly where the
    uninterrupted run had them when it fetched that batch."""

    def __init__(self, iterator, skip, state):
        self._iterator, self._remaining, self._state = iterator, skip, state

    def __iter__(self):
        return self

    def __next__(self):
        if self._remaining > 0:
            self._remaining -= 1
        elif self._state is not None:
            restore_rng_state(self._state)
            self._state = None
        return next(self._iterator)

    def __getattr__(self, name):
        return getattr(self._iterator, name)


@HOOKS.register_module()
class RngStateHook(Hook):
    """mmengine's resume restores weights, optimizer, schedulers and counters but re-seeds the
    generators from the start, so the resumed run samples different proposals (and draws other
    random numbers) than the uninterrupted run would have, and its losses differ.

    Restored only on resume (``runner.iter > 0``), never for a plain ``load_from``: for an
    iteration-based loop just before the first batch after the skip of already-trained batches,
    otherwise at ``before_train`` (lowest priority, after every other hook's setup). The main
    process's state is saved; in distributed training every rank gets it back, so there resumed
    runs are not bit-identical.

    Takes no arguments: ``dict(type='RngStateHook')`` (configs/_base_/aw_runtime.py puts it in
    ``default_hooks``). The states are saved under the checkpoint key ``'rng_state'``.
    """

    priority = 'LOWEST'

    def __init__(self) -> None:
        self._loaded = None

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint[KEY] = capture_rng_state()

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        self._loaded = checkpoint.get(KEY)

    def before_train(self, runner) -> None:
        state, self._loaded = self._loaded, None
        if state is None or runner.iter == 0:
            return
        loop = runner.train_loop
        if hasattr(loop, 'dataloader_iterator'):  # IterBasedTrainLoop skips runner.iter batches
            loop.dataloader_iterator = _RestoreAfterSkip(loop.dataloader_iterator, runner.iter,
                                                         state)
        else:
            restore_rng_state(state)
        runner.logger.info('The random generators will continue from their state after '
                           f'iteration {runner.iter}.')
