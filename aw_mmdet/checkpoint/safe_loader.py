"""mmengine's local-file checkpoint loader, made safe and explicit for torch >= 2.6.

Registered for the '' (local path) prefix of mmengine's CheckpointLoader, so ``load_from``,
``--resume`` and ``init_cfg=dict(type='Pretrained', checkpoint=<path>)`` all go through it.
"""
import os
import pickle

import torch
from mmengine.runner.checkpoint import CheckpointLoader


class CheckpointError(RuntimeError):
    """A checkpoint file is missing, unreadable, truncated, or holds untrusted objects."""


def load_checkpoint_file(filename, map_location=None):
    """torch.load with weights_only=True; every failure names the file and what is wrong."""
    filename = os.path.expanduser(str(filename))
    if not os.path.isfile(filename):
        raise CheckpointError(f'checkpoint file not found: {filename}')
    try:
        return torch.load(filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as err:
        if 'global' in str(err).lower():
            raise CheckpointError(
                f'refusing to load checkpoint {filename}: it holds Python objects that are not '
                'tensors, numpy data or mmengine log buffers, and loading them could run code. '
                'If you trust the file, load it with torch.load(..., weights_only=False) yourself '
                f'and save its state_dict. Detail: {_first_line(err)}') from None
        raise CheckpointError(f'checkpoint {filename} is not a readable checkpoint '
                              f'(corrupt or not a torch file): {_first_line(err)}') from None
    except Exception as err:  # torch raises many types for corrupt files (EOF, Index, Runtime...)
        raise CheckpointError(f'checkpoint {filename} could not be read (truncated or not a '
                              f'torch checkpoint): {_first_line(err)}') from None


def _first_line(err):
    text = str(err).strip()
    for line in text.splitlines():
        if 'GLOBAL' in line or 'Unsupported' in line or 'blocked' in line:
            return line.strip()
    return text.splitlines()[0] if text else type(err).__name__


def install_safe_loader():
    CheckpointLoader.register_scheme(prefixes='', loader=load_checkpoint_file, force=True)
