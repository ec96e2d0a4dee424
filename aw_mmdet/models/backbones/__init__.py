from .aw_blocks import AWBasicBlock, AWBottleneck, aw_block
from .aw_resnet import AW_DEFAULTS, AWResNet, AWResNetV1d, AWResNeXt, AWStagesMixin

__all__ = ['AW_DEFAULTS', 'AWBasicBlock', 'AWBottleneck', 'AWResNeXt', 'AWResNet', 'AWResNetV1d',
           'AWStagesMixin', 'aw_block']
