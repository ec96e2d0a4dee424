"""Squeeze-and-excitation (Hu et al.) as an mmcv plugin layer, for ResNet ``plugins=[...]``."""
import torch.nn as nn
from mmengine.model import BaseModule
from mmengine.registry import MODELS


@MODELS.register_module()
class SEBlock(BaseModule):
    """x * sigmoid(fc2(relu(fc1(global_avg_pool(x))))): one scale per channel.

    Args:
        in_channels (int): Channels of the feature map (filled in by mmdet's plugin builder).
        reduction (int): Hidden width is ``in_channels // reduction``. Defaults to 16.
        init_cfg (dict, optional): mmengine init config. Defaults to None.
    """

    _abbr_ = 'se_block'

    def __init__(self, in_channels, reduction=16, init_cfg=None):
        super().__init__(init_cfg)
        if reduction < 1:
            raise ValueError(f'SEBlock: reduction must be >= 1, got {reduction}')
        hidden = max(in_channels // reduction, 1)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(in_channels, hidden, 1)
        self.fc2 = nn.Conv2d(hidden, in_channels, 1)

    def forward(self, x):
        scale = self.fc2(self.fc1(self.pool(x)).relu()).sigmoid()
        return x * scale
