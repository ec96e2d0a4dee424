"""aw_mmdet: importing it registers every module of the package in the mm registries and makes
checkpoint loading safe on torch >= 2.6 (see aw_mmdet/checkpoint)."""
from .checkpoint import CheckpointError, load_checkpoint_file
from .datasets import CheckedCocoDataset, DatasetContentError
from .engine import AtomicCheckpointHook, CheckpointFitHook, FiniteLossHook, RngStateHook
from .models import AWResNet, AWResNetV1d, AWResNeXt, CBAMBlock, SEBlock, aw_block
from .ops import AWAttention, AWConv2d, AWConvWS2d, aw_convs, recording_attention, to_aw_conv

__all__ = ['AWAttention', 'AWConv2d', 'AWConvWS2d', 'AWResNeXt', 'AWResNet', 'AWResNetV1d',
           'AtomicCheckpointHook', 'CBAMBlock', 'CheckedCocoDataset', 'CheckpointError',
           'CheckpointFitHook', 'DatasetContentError', 'FiniteLossHook', 'RngStateHook', 'SEBlock',
           'aw_block', 'aw_convs', 'load_checkpoint_file', 'recording_attention', 'to_aw_conv']
