from .attention_probe import aw_convs, recording_attention
from .aw_attention import AWAttention
from .aw_conv import AWConv2d
from .aw_conv_ws import AWConvWS2d
from .conversion import AW_CONV_FOR, to_aw_conv

__all__ = ['AW_CONV_FOR', 'AWAttention', 'AWConv2d', 'AWConvWS2d', 'aw_convs',
           'recording_attention', 'to_aw_conv']
