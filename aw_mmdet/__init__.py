"""aw_mmdet: importing it registers every module of the package in the mm registries and makes
checkpoint loading safe on torch >= 2.6 (see aw_mmdet/checkpoint)."""
from .checkpoint import CheckpointError, load_checkpoint_file
from .datasets import CheckedCocoDataset, DatasetContentError
from .engine import AtomicCheckpointHook, CheckpointFitHook, FiniteLossHook, RngStateHook
from .models import AWResNet, CBAMBlock, SEBlock
from .ops import AWAttention, AWConv2d

__all__ = ['AWAttention', 'AWConv2d', 'AWResNet', 'AtomicCheckpointHook', 'CBAMBlock',
           'CheckedCocoDataset', 'CheckpointError', 'CheckpointFitHook', 'DatasetContentError',
           'FiniteLossHook', 'RngStateHook', 'SEBlock', 'load_checkpoint_file']
