from .aw_resnet import AWResNet

__all__ = ['AWResNet']
