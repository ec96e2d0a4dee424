"""aw_mmdet: importing it registers every module of the package in the mm registries and makes
checkpoint loading safe on torch >= 2.6 (see aw_mmdet/checkpoint)."""
from .checkpoint import CheckpointError, load_checkpoint_file
from .datasets import CheckedCocoDataset, DatasetContentError
from .engine import ParamChecksumHook
from .models import AWResNet, AWResNetV1d, AWResNeXt, CBAMBlock, SEBlock, aw_block
from .ops import AWAttention, AWConv2d, AWConvWS2d, to_aw_conv

__all__ = ['AWAttention', 'AWConv2d', 'AWConvWS2d', 'AWResNeXt', 'AWResNet', 'AWResNetV1d',
           'CBAMBlock', 'CheckedCocoDataset', 'CheckpointError', 'DatasetContentError',
           'ParamChecksumHook', 'SEBlock', 'aw_block', 'load_checkpoint_file', 'to_aw_conv']
