"""ResNet blocks whose 3x3 ``conv2`` is an AWConv2d; everything else is the stock mmdet block."""
from mmdet.models.backbones.resnet import BasicBlock, Bottleneck

from aw_mmdet.ops import AWConv2d


class _AWConv2Mixin:
    """Builds the stock block, then swaps its conv2 for an AWConv2d of the same geometry.

    Reusing the stock constructor keeps every other layer, the state-dict names and the plugin
    handling identical to mmdet's; only ``conv2.attention.*`` is added.
    """

    def __init__(self, *args, aw, **kwargs):
        super().__init__(*args, **kwargs)
        self.conv2 = AWConv2d.from_conv(self.conv2, **aw)


class AWBasicBlock(_AWConv2Mixin, BasicBlock):
    """BasicBlock (ResNet-18/34) with AW on conv2."""


class AWBottleneck(_AWConv2Mixin, Bottleneck):
    """Bottleneck (ResNet-50/101/152) with AW on conv2."""


AW_BLOCK_FOR = {BasicBlock: AWBasicBlock, Bottleneck: AWBottleneck}
