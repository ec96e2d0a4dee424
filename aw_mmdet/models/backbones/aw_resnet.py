"""AWResNet: mmdet's ResNet with AW-convolution on the 3x3 conv of every block in chosen stages."""
import inspect
import math

from mmdet.models.backbones.resnet import ResNet
from mmdet.registry import MODELS

from aw_mmdet.ops import AWConv2d
from .aw_blocks import AW_BLOCK_FOR

AW_DEFAULTS = dict(reduction=16, min_hidden=8, attention='factorized')
_AW_KEYS = set(inspect.signature(AWConv2d.__init__).parameters) & set(AW_DEFAULTS)


def resolve_aw_cfg(aw):
    """Defaults merged with the user's ``aw`` dict; unknown keys are a ValueError naming them."""
    aw = dict(aw or {})
    unknown = sorted(set(aw) - _AW_KEYS)
    if unknown:
        raise ValueError(f'AWResNet: unknown key(s) in aw: {unknown}; allowed: {sorted(_AW_KEYS)}')
    return {**AW_DEFAULTS, **aw}


@MODELS.register_module()
class AWResNet(ResNet):
    """ResNet whose blocks in ``stage_with_aw`` stages use AWConv2d as conv2.

    Args:
        aw (dict): AWConv2d keyword arguments (reduction, min_hidden, attention).
        stage_with_aw (Sequence[bool]): one flag per stage. Stage 1 is off by default because the
            stock detection configs freeze it (frozen_stages=1), so its attention would never train.
        **kwargs: every argument of mmdet's ResNet, with the same meaning.
    """

    def __init__(self, aw=None, stage_with_aw=(False, True, True, True), **kwargs):
        num_stages = kwargs.get('num_stages', 4)
        if len(stage_with_aw) != num_stages:
            raise ValueError(f'AWResNet: stage_with_aw has {len(stage_with_aw)} entries, '
                             f'num_stages is {num_stages}')
        dcn_stages = kwargs.get('stage_with_dcn', (False,) * 4) if kwargs.get('dcn') else ()
        both = [i + 1 for i, (a, d) in enumerate(zip(stage_with_aw, dcn_stages)) if a and d]
        if both:
            raise ValueError(f'AWResNet: stage(s) {both} have both dcn and AW (stage_with_dcn and '
                             'stage_with_aw); one conv2 cannot be both')
        self.aw = resolve_aw_cfg(aw)
        self.stage_with_aw = tuple(bool(s) for s in stage_with_aw)
        super().__init__(**kwargs)

    def make_res_layer(self, **kwargs):
        """Stock ResLayer; in AW stages its blocks are the AW variants of the stock blocks."""
        stage = int(math.log2(kwargs['planes'] // self.base_channels))
        if self.stage_with_aw[stage]:
            kwargs['block'] = AW_BLOCK_FOR[kwargs['block']]
            kwargs['aw'] = self.aw
        return super().make_res_layer(**kwargs)
