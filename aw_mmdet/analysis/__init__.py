from .flops import aw_conv_extra_flops, count_flops

__all__ = ['aw_conv_extra_flops', 'count_flops']
