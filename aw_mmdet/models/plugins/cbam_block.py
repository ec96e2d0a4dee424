"""CBAM (Woo et al.): channel then spatial attention, as an mmcv plugin layer."""
import torch
import torch.nn as nn
from mmengine.model import BaseModule
from mmengine.registry import MODELS


@MODELS.register_module()
class CBAMBlock(BaseModule):
    """Channel attention (shared MLP over avg- and max-pooled features), then spatial attention
    (a kernel_size conv over the channel-wise mean and max maps).

    Args:
        in_channels (int): Channels of the feature map (filled in by mmdet's plugin builder).
        reduction (int): Hidden width of the MLP is ``in_channels // reduction``. Defaults to 16.
        kernel_size (int): Odd kernel size of the spatial-attention conv. Defaults to 7.
        init_cfg (dict, optional): mmengine init config. Defaults to None.
    """

    _abbr_ = 'cbam_block'

    def __init__(self, in_channels, reduction=16, kernel_size=7, init_cfg=None):
        super().__init__(init_cfg)
        if reduction < 1:
            raise ValueError(f'CBAMBlock: reduction must be >= 1, got {reduction}')
        if kernel_size < 1 or kernel_size % 2 == 0:
            raise ValueError(f'CBAMBlock: kernel_size must be odd and >= 1, got {kernel_size}')
        hidden = max(in_channels // reduction, 1)
        self.mlp = nn.Sequential(
            nn.Conv2d(in_channels, hidden, 1), nn.ReLU(inplace=True),
            nn.Conv2d(hidden, in_channels, 1))
        self.spatial = nn.Conv2d(2, 1, kernel_size, padding=kernel_size // 2)

    def forward(self, x):
        channel = self.mlp(x.mean((2, 3), keepdim=True)) + self.mlp(x.amax((2, 3), keepdim=True))
        x = x * channel.sigmoid()
        maps = torch.cat([x.mean(1, keepdim=True), x.amax(1, keepdim=True)], dim=1)
        return x * self.spatial(maps).sigmoid()
