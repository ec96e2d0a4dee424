from .attention_probe import aw_convs, recording_attention
from .aw_conv import AWAttention, AWConv2d, AWConvWS2d
from .conversion import AW_CONV_FOR, to_aw_conv

__all__ = ['AW_CONV_FOR', 'AWAttention', 'AWConv2d', 'AWConvWS2d', 'aw_convs',
           'recording_attention', 'to_aw_conv']
