from .backbones import AWResNet
from .plugins import CBAMBlock, SEBlock

__all__ = ['AWResNet', 'CBAMBlock', 'SEBlock']
