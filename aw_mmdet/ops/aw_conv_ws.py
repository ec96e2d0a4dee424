"""AW on a weight-standardized conv (mmcv's ``ConvWS``): O_n = (A_n * WS(W)) conv I_n."""
import torch
from mmengine.registry import MODELS

from .aw_conv import AWConv2d


def standardize_weight(weight: torch.Tensor, eps: float) -> torch.Tensor:
    """Weight standardization (Qiao et al., arXiv 1903.10520): zero mean, unit std per filter."""
    flat = weight.flatten(1)
    shape = (-1,) + (1,) * (weight.dim() - 1)
    return (weight - flat.mean(1).view(shape)) / (flat.std(1).view(shape) + eps)


@MODELS.register_module('AWConvWS')
class AWConvWS2d(AWConv2d):
    """``AWConv2d`` whose attention rescales the standardized weight, as mmcv ``ConvWS2d``
    convolves with the standardized weight; what ``AWResNet(conv_cfg=dict(type='ConvWS'))`` uses
    for its AW convs.

    Args:
        eps (float): Added to the filter std, as in mmcv ``ConvWS2d``. Defaults to 1e-5.
        *args, **kwargs: As for ``AWConv2d``.
    """

    def __init__(self, *args, eps: float = 1e-5, **kwargs):
        super().__init__(*args, **kwargs)
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if isinstance(x, torch.fx.Proxy):
            return super().forward(x)
        return self._conv_forward(x, standardize_weight(self.weight, self.eps), self.bias)
