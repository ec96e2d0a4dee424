"""A checkpoint for another architecture is an error, not a silent partial load.

mmengine's ``load_state_dict`` (strict=False, what ``load_from`` and ``init_detector`` use) only
logs shape mismatches and leaves those parameters at their random init, so a run with the wrong
checkpoint looks normal and is silently wrong. ``check_checkpoint_fits`` lists every mismatching
key with both shapes. Keys the checkpoint lacks (AW attention, when a stock mmdet checkpoint is
loaded into an AW model) stay allowed: they keep their identity init, as mmengine does.
"""
import re

from mmengine.model import is_model_wrapper
from mmengine.runner.checkpoint import _load_checkpoint, _load_checkpoint_to_model

from .safe_loader import CheckpointError

MODULE_PREFIX = (r'^module\.', '')  # what mmengine's loaders strip by default
MAX_KEYS_SHOWN = 5


class CheckpointMismatchError(CheckpointError):
    """A checkpoint's parameters do not fit the model (other architecture or other model)."""


def checkpoint_state_dict(checkpoint, revise_keys=(MODULE_PREFIX,)):
    """The state dict mmengine would load from ``checkpoint``, with the same key revisions."""
    state = checkpoint.get('state_dict', checkpoint) if isinstance(checkpoint, dict) else None
    if not isinstance(state, dict):
        return None
    for pattern, repl in revise_keys:
        state = {re.sub(pattern, repl, k): v for k, v in state.items()}
    return state


def _shape(value):
    shape = getattr(value, 'shape', None)
    return None if shape is None else tuple(shape)


def check_checkpoint_fits(model, checkpoint, filename, allow_shape_mismatch=(),
                          revise_keys=(MODULE_PREFIX,)):
    """Raise CheckpointMismatchError naming ``filename`` when ``checkpoint`` does not fit ``model``.

    Errors: no state dict at all; no key in common with the model; any shared key whose shape
    differs (all of them listed, ``checkpoint shape -> model shape``), except keys starting with
    one of ``allow_shape_mismatch`` (e.g. a classifier re-headed for new classes), which keep
    mmengine's behaviour (skipped with a warning).
    """
    if is_model_wrapper(model):
        model = model.module
    state = checkpoint_state_dict(checkpoint, revise_keys)
    if state is None:
        raise CheckpointMismatchError(f'checkpoint {filename} holds no state_dict '
                                      f'(got {type(checkpoint).__name__})')
    expected = model.state_dict()
    if not expected:
        return
    shared = [k for k in expected if k in state]
    if not shared:
        raise CheckpointMismatchError(
            f'checkpoint {filename} shares no parameter names with the model '
            f'({type(model).__name__}, {len(expected)} keys); it is for another model or saved '
            f'under another prefix. First checkpoint keys: {sorted(state)[:MAX_KEYS_SHOWN]}; '
            f'first model keys: {list(expected)[:MAX_KEYS_SHOWN]}')
    mismatched = [(k, _shape(state[k]), tuple(expected[k].shape)) for k in shared
                  if _shape(state[k]) != tuple(expected[k].shape)
                  and not k.startswith(tuple(allow_shape_mismatch))]
    if mismatched:
        lines = '\n'.join(f'  {k}: checkpoint {list(c) if c is not None else "not a tensor"} '
                          f'-> model {list(m)}' for k, c, m in mismatched)
        raise CheckpointMismatchError(
            f'checkpoint {filename} does not fit the model ({type(model).__name__}): '
            f'{len(mismatched)} of {len(shared)} shared parameters have another shape '
            f'(a checkpoint for another architecture?):\n{lines}')


def load_checkpoint_checked(model, filename, map_location='cpu', strict=False,
                            allow_shape_mismatch=(), revise_keys=(MODULE_PREFIX,)):
    """mmengine's ``load_checkpoint``, but a checkpoint that does not fit is an error."""
    checkpoint = _load_checkpoint(filename, map_location=map_location)
    check_checkpoint_fits(model, checkpoint, filename, allow_shape_mismatch, revise_keys)
    return _load_checkpoint_to_model(model, checkpoint, strict, revise_keys=list(revise_keys))
