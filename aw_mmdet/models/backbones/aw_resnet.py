"""AWResNet, AWResNeXt, AWResNetV1d: mmdet's backbones with AW on the 3x3 conv of every block in
chosen stages; everything else is the stock backbone."""
import inspect

from mmdet.models.backbones.resnet import ResNet, ResNetV1d
from mmdet.models.backbones.resnext import ResNeXt
from mmdet.registry import MODELS

from aw_mmdet.ops import AWConv2d

from .aw_blocks import aw_block

_AW_KEYS = ('reduction', 'min_hidden', 'attention')
#: AWConv2d's own defaults for the attention arguments (read from its signature).
AW_DEFAULTS = {k: inspect.signature(AWConv2d).parameters[k].default for k in _AW_KEYS}


def resolve_aw_cfg(aw):
    """Defaults merged with the user's ``aw`` dict; unknown keys are a ValueError naming them."""
    aw = dict(aw or {})
    unknown = sorted(set(aw) - set(_AW_KEYS))
    if unknown:
        raise ValueError(f'AWResNet: unknown key(s) in aw: {unknown}; allowed: {sorted(_AW_KEYS)}')
    return {**AW_DEFAULTS, **aw}


class AWStagesMixin:
    """Adds ``aw`` and ``stage_with_aw`` to a ResNet-family backbone (mmdet's ``make_res_layer``
    is the one hook it overrides, as ResNeXt does).

    Args:
        aw (dict, optional): AWConv2d attention arguments (``reduction``, ``min_hidden``,
            ``attention``); missing ones take ``AW_DEFAULTS``. Defaults to None.
        stage_with_aw (Sequence[bool]): One flag per stage. Defaults to
            ``(False, True, True, True)``: stage 1 is off because the stock detection configs
            freeze it (``frozen_stages=1``), so its attention would never train.
        *args, **kwargs: Every argument of the stock backbone, with the same meaning.
    """

    def __init__(self, *args, aw=None, stage_with_aw=(False, True, True, True), **kwargs):
        self.aw = resolve_aw_cfg(aw)
        self.stage_with_aw = tuple(bool(s) for s in stage_with_aw)
        super().__init__(*args, **kwargs)

    def _check_stages(self):
        name = type(self).__name__
        if len(self.stage_with_aw) != self.num_stages:
            raise ValueError(f'{name}: stage_with_aw has {len(self.stage_with_aw)} entries, '
                             f'num_stages is {self.num_stages}')
        dcn_stages = self.stage_with_dcn if self.dcn else (False,) * self.num_stages
        both = [i + 1 for i, (a, d) in enumerate(zip(self.stage_with_aw, dcn_stages)) if a and d]
        if both:
            raise ValueError(f'{name}: stage(s) {both} have both dcn and AW (stage_with_dcn and '
                             'stage_with_aw); one conv2 cannot be both')

    def make_res_layer(self, **kwargs):
        """The stock ResLayer; in AW stages its blocks are the AW variants of the stock blocks."""
        stage = len(self.res_layers)  # mmdet's stage loop appends each layer after building it
        if stage == 0:
            self._check_stages()
        if self.stage_with_aw[stage]:
            kwargs['block'] = aw_block(kwargs['block'])
            kwargs['aw'] = self.aw
        return super().make_res_layer(**kwargs)


@MODELS.register_module()
class AWResNet(AWStagesMixin, ResNet):
    """mmdet's ``ResNet`` (any depth) with AW-convolution as conv2 of the blocks in
    ``stage_with_aw`` stages.

    Args:
        depth (int): 18, 34, 50, 101 or 152, as for ``ResNet`` (positional or keyword).
        aw (dict, optional): AWConv2d attention arguments (``reduction``, ``min_hidden``,
            ``attention``); missing ones take ``AW_DEFAULTS``. Defaults to None.
        stage_with_aw (Sequence[bool]): One flag per stage. Defaults to
            ``(False, True, True, True)``.
        **kwargs: Every other ``ResNet`` argument, with the same meaning.
    """


@MODELS.register_module()
class AWResNeXt(AWStagesMixin, ResNeXt):
    """mmdet's ``ResNeXt`` with AW on its grouped 3x3 convs in ``stage_with_aw`` stages."""


@MODELS.register_module()
class AWResNetV1d(AWStagesMixin, ResNetV1d):
    """mmdet's ``ResNetV1d`` (deep stem, avg-pool downsampling) with AW in ``stage_with_aw``
    stages."""
