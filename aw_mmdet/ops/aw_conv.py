"""AW-convolution: a Conv2d whose weight is rescaled per sample by attention of the weight's shape.

O_n = (A_n * W) conv I_n, with A_n = AWAttention(I_n) of shape (D, C/g, Kh, Kw)
(Zhu et al., "An Attention Module for Convolutional Neural Networks", arXiv 2108.08205).
"""
import torch
import torch.nn as nn
from mmengine.registry import MODELS

from .aw_attention import ATTENTION_MODES, AWAttention
from .per_sample_conv import conv2d_per_sample_weights
from .validation import check_aw_args, check_conv_input
from .weight_modulation import modulate_dense, modulate_factorized


@MODELS.register_module('AWConv')
class AWConv2d(nn.Conv2d):
    """Drop-in ``nn.Conv2d`` with attention on its weights; equals the plain conv at init."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, reduction=16, min_hidden=8, attention='factorized'):
        check_aw_args(in_channels=in_channels, out_channels=out_channels, kernel_size=kernel_size,
                      stride=stride, padding=padding, dilation=dilation, groups=groups,
                      reduction=reduction, min_hidden=min_hidden, attention=attention,
                      modes=ATTENTION_MODES)
        super().__init__(in_channels, out_channels, kernel_size, stride=stride, padding=padding,
                         dilation=dilation, groups=groups, bias=bias)
        self.reduction = reduction
        self.min_hidden = min_hidden
        self.attention_mode = attention
        self.attention = AWAttention(in_channels, out_channels, self.kernel_size, groups=groups,
                                     reduction=reduction, min_hidden=min_hidden,
                                     attention=attention)

    @classmethod
    def from_conv(cls, conv: nn.Conv2d, **aw_kwargs) -> 'AWConv2d':
        """Build an AWConv2d with the geometry (and a copy of the weights) of a plain Conv2d."""
        if type(conv) is not nn.Conv2d:
            raise ValueError(f'AW needs a plain nn.Conv2d to replace, got {type(conv).__name__} '
                             '(conv_cfg / dcn layers cannot be combined with AW in one conv)')
        if conv.padding_mode != 'zeros':
            raise ValueError(f'AWConv2d supports padding_mode="zeros" only, got {conv.padding_mode!r}')
        aw_conv = cls(conv.in_channels, conv.out_channels, conv.kernel_size, stride=conv.stride,
                      padding=conv.padding, dilation=conv.dilation, groups=conv.groups,
                      bias=conv.bias is not None, **aw_kwargs)
        aw_conv.to(device=conv.weight.device, dtype=conv.weight.dtype)
        with torch.no_grad():
            aw_conv.weight.copy_(conv.weight)
            if conv.bias is not None:
                aw_conv.bias.copy_(conv.bias)
        return aw_conv

    def init_weights(self):
        """Called by mmengine after a parent's init_cfg: keep the attention at identity."""
        self.attention.init_weights()

    def extra_repr(self):
        return (f'{super().extra_repr()}, reduction={self.reduction}, '
                f'min_hidden={self.min_hidden}, attention={self.attention_mode!r}')

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_conv_input(self, x)
        logits = self.attention.compute_logits(x)
        modulate = modulate_factorized if self.attention_mode == 'factorized' else modulate_dense
        weights = modulate(self.weight, *logits)
        return conv2d_per_sample_weights(x, weights, self.bias, self.stride, self.padding,
                                         self.dilation, self.groups)
