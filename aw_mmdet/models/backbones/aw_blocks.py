"""AW variants of mmdet's ResNet blocks: the stock block with its 3x3 ``conv2`` made AW."""
import functools

from mmdet.models.backbones.resnet import BasicBlock, Bottleneck

from aw_mmdet.ops import to_aw_conv


class _AWConv2Mixin:
    """Builds the stock block, then swaps its conv2 for the AW conv of the same geometry.

    Reusing the stock constructor keeps every other layer, the state-dict names and the plugin
    handling identical to mmdet's; only ``conv2.attention.*`` is added.
    """

    def __init__(self, *args, aw, **kwargs):
        super().__init__(*args, **kwargs)
        self.conv2 = to_aw_conv(self.conv2, **aw)


@functools.lru_cache(maxsize=None)
def aw_block(block: type) -> type:
    """The AW variant of a stock ResNet block class (one class per block class).

    Any subclass of mmdet's ``BasicBlock`` or ``Bottleneck`` works (ResNeXt's, ResNetV1d's, a
    user's own): the variant runs the block's own constructor, then makes ``conv2`` an AW conv
    built from it (see ``aw_mmdet.ops.to_aw_conv`` for the conv types it takes).

    Args:
        block (type): The stock block class.

    Returns:
        type: A subclass of ``block`` whose constructor takes one more keyword, ``aw`` (dict of
        AWConv2d attention arguments).
    """
    if issubclass(block, _AWConv2Mixin):
        return block
    if not issubclass(block, (BasicBlock, Bottleneck)):
        raise ValueError(f'aw_block: {block.__name__} is not a subclass of mmdet ResNet '
                         'BasicBlock or Bottleneck (AW replaces their conv2)')
    doc = f'{block.__name__} ({block.__module__}) with an AW conv2.'
    return type(f'AW{block.__name__}', (_AWConv2Mixin, block),
                {'__module__': __name__, '__qualname__': f'AW{block.__name__}', '__doc__': doc})


AWBasicBlock = aw_block(BasicBlock)
AWBottleneck = aw_block(Bottleneck)
