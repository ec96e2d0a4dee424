from .backbones import AWResNet, AWResNetV1d, AWResNeXt, aw_block
from .plugins import CBAMBlock, SEBlock

__all__ = ['AWResNeXt', 'AWResNet', 'AWResNetV1d', 'CBAMBlock', 'SEBlock', 'aw_block']
