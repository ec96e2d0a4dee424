"""AW-convolution: a Conv2d whose weight is rescaled per sample by attention of the weight's shape.

O_n = (A_n * W) conv I_n, with A_n = AWAttention(I_n) of shape (D, C/g, Kh, Kw)
(Zhu et al., "An Attention Module for Convolutional Neural Networks", arXiv 2108.08205).
"""
import torch
import torch.fx
import torch.nn as nn
import torch.nn.functional as F
from mmengine.registry import MODELS

from .aw_attention import ATTENTION_MODES, AWAttention
from .batch_chunks import batch_chunks
from .per_sample_conv import conv2d_per_sample_weights
from .validation import check_aw_args, check_conv_input


@MODELS.register_module('AWConv')
class AWConv2d(nn.Conv2d):
    """Drop-in ``nn.Conv2d`` with attention on its weights; equals the plain conv at init.

    Every ``nn.Conv2d`` argument means what it means there. Like ``nn.Conv2d``, ``forward`` is
    ``_conv_forward(x, self.weight, self.bias)``, and ``_conv_forward`` applies the attention to
    the weight it is given, so code that folds a batch norm into the weight and calls
    ``_conv_forward`` (mmcv ``ConvModule(efficient_conv_bn_eval=True)``, mmengine's
    ``efficient_conv_bn_eval``) gets (A_n * W') conv I_n, which equals BN(AW conv) exactly.

    Args:
        in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
        padding_mode, device, dtype: As for ``nn.Conv2d`` (all padding modes; the attention is
            computed from the unpadded input).
        reduction (int): Hidden width of the attention is ``in_channels // reduction``.
            Defaults to 16.
        min_hidden (int): Lower bound of that hidden width. Defaults to 8.
        attention (str): ``'factorized'`` (one logit per output and per input channel at each
            kernel position) or ``'dense'`` (one per weight). Defaults to ``'factorized'``.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = 'zeros',
                 device=None, dtype=None, reduction: int = 16, min_hidden: int = 8,
                 attention: str = 'factorized'):
        check_aw_args(in_channels=in_channels, out_channels=out_channels, kernel_size=kernel_size,
                      stride=stride, padding=padding, dilation=dilation, groups=groups,
                      padding_mode=padding_mode, reduction=reduction, min_hidden=min_hidden,
                      attention=attention, modes=ATTENTION_MODES)
        super().__init__(in_channels, out_channels, kernel_size, stride=stride, padding=padding,
                         dilation=dilation, groups=groups, bias=bias, padding_mode=padding_mode,
                         device=device, dtype=dtype)
        self.reduction = reduction
        self.min_hidden = min_hidden
        self.attention_mode = attention
        self.attention = AWAttention(in_channels, out_channels, self.kernel_size, groups=groups,
                                     reduction=reduction, min_hidden=min_hidden,
                                     attention=attention, device=device, dtype=dtype)

    @classmethod
    def from_conv(cls, conv: nn.Conv2d, **aw_kwargs) -> 'AWConv2d':
        """An AW conv with the geometry, padding mode, device, dtype and a copy of the weights of
        ``conv`` (any conv that computes ``nn.Conv2d.forward``)."""
        aw_conv = cls(conv.in_channels, conv.out_channels, conv.kernel_size, stride=conv.stride,
                      padding=conv.padding, dilation=conv.dilation, groups=conv.groups,
                      bias=conv.bias is not None, padding_mode=conv.padding_mode,
                      device=conv.weight.device, dtype=conv.weight.dtype, **aw_kwargs)
        with torch.no_grad():
            aw_conv.weight.copy_(conv.weight)
            if conv.bias is not None:
                aw_conv.bias.copy_(conv.bias)
        return aw_conv

    def extra_repr(self):
        return (f'{super().extra_repr()}, reduction={self.reduction}, '
                f'min_hidden={self.min_hidden}, attention={self.attention_mode!r}')

    def extra_flops(self, input_hw, batch: int = 1) -> dict:
        """Work of one call beyond the plain conv, per part (see ``AWAttention.extra_flops``)."""
        return self.attention.extra_flops(input_hw, batch)

    def _conv_forward(self, x: torch.Tensor, weight: torch.Tensor, bias) -> torch.Tensor:
        """(A_n * weight) conv x_n with A_n from x: the AW counterpart of nn.Conv2d's."""
        if not torch.jit.is_tracing():  # checks would be baked into a traced graph as constants
            check_conv_input(self, x)
            if x.shape[0] == 0:  # e.g. a mask head with no RoIs: an empty output, as nn.Conv2d
                return super()._conv_forward(x, weight, bias)
        chunks = batch_chunks(x, weight)  # CPU: keeps per-sample weights out of mmap'd memory
        if chunks is None:
            return self._aw_conv(x, weight, bias)
        return torch.cat([self._aw_conv(part, weight, bias) for part in x.tensor_split(chunks)])

    def _aw_conv(self, x, weight, bias):
        weights = self.attention.modulate(weight, x)
        padding = self.padding
        if self.padding_mode != 'zeros' or isinstance(padding, str):
            mode = 'constant' if self.padding_mode == 'zeros' else self.padding_mode
            x = F.pad(x, self._reversed_padding_repeated_twice, mode=mode)
            padding = (0, 0)
        return conv2d_per_sample_weights(x, weights, bias, self.stride, padding, self.dilation,
                                         self.groups)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if isinstance(x, torch.fx.Proxy):
            # torch.fx symbolic tracing (mmengine's efficient_conv_bn_eval traces the backbone):
            # record one call of this module, as fx does for nn.Conv2d, instead of tracing into
            # shape-dependent code; the graph then calls the real module with real tensors.
            tracer = x.tracer
            return tracer.create_proxy('call_module', tracer.path_of_module(self), (x,), {})
        return self._conv_forward(x, self.weight, self.bias)
