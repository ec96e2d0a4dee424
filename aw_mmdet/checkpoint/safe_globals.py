"""The exact, non-executable Python types that mmengine/mmdet checkpoints hold besides tensors.

torch >= 2.6 loads with ``weights_only=True`` and refuses any other global. Runner checkpoints
also hold numpy arrays/scalars (log and runtime info) and mmengine's HistoryBuffer; we allow those
and nothing else, so a pickle that would run code is still refused.
"""
import pickle

import numpy as np
import torch
from mmengine.logging.history_buffer import HistoryBuffer

_np_core = getattr(np, '_core', None) or np.core


def _numpy_dtype_classes():
    dtypes = getattr(np, 'dtypes', None)
    if dtypes is None:
        return []
    return [getattr(dtypes, name) for name in dir(dtypes) if name.endswith('DType')]


_DEFAULT_STATISTICS = {'min', 'max', 'current', 'mean'}  # HistoryBuffer._set_default_statistics


def history_buffer_getattr(obj, name):
    """Stands in for ``getattr`` while unpickling: HistoryBuffer pickles its statistics methods as
    ``getattr(HistoryBuffer, 'mean')``; that lookup, and no other, is allowed."""
    allowed = _DEFAULT_STATISTICS | set(HistoryBuffer._statistics_methods)
    if obj is HistoryBuffer and name in allowed:
        return getattr(HistoryBuffer, name)
    raise pickle.UnpicklingError(
        f'Unsupported global: getattr({getattr(obj, "__name__", type(obj).__name__)}, {name!r}) '
        'is not a HistoryBuffer statistics method')


def safe_globals():
    """(object or (object, pickled name)) entries for ``torch.serialization.add_safe_globals``."""
    entries = [np.ndarray, np.dtype, _np_core.multiarray._reconstruct,
               _np_core.multiarray.scalar, HistoryBuffer]
    entries += _numpy_dtype_classes()
    # Files written with numpy 1.x name the same functions under ``numpy.core``.
    entries += [(_np_core.multiarray._reconstruct, 'numpy.core.multiarray._reconstruct'),
                (_np_core.multiarray.scalar, 'numpy.core.multiarray.scalar')]
    entries += [(history_buffer_getattr, 'builtins.getattr'),
                (history_buffer_getattr, '__builtin__.getattr')]
    return entries


def install_safe_globals():
    torch.serialization.add_safe_globals(safe_globals())
