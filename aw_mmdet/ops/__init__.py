from .aw_attention import AWAttention
from .aw_conv import AWConv2d

__all__ = ['AWAttention', 'AWConv2d']
