"""Turn a conv that mmcv's ``build_conv_layer`` made into its AW counterpart (weights copied)."""
import torch.nn as nn
from mmcv.cnn.bricks.conv_ws import ConvWS2d
from mmcv.cnn.bricks.wrappers import Conv2d as MMCVConv2d

from .aw_conv import AWConv2d, AWConvWS2d

#: conv class -> AW class; mmcv's 'Conv' is its empty-input-safe nn.Conv2d wrapper.
AW_CONV_FOR = {nn.Conv2d: AWConv2d, MMCVConv2d: AWConv2d, ConvWS2d: AWConvWS2d}


def to_aw_conv(conv: nn.Conv2d, **aw_kwargs) -> AWConv2d:
    """The AW conv computing what ``conv`` computes while the attention is 1.

    Args:
        conv (nn.Conv2d): A conv of a type in ``AW_CONV_FOR`` (conv_cfg ``None``, ``'Conv'``,
            ``'Conv2d'`` or ``'ConvWS'``).
        **aw_kwargs: ``AWConv2d``'s attention arguments (reduction, min_hidden, attention).

    Raises:
        ValueError: for any other conv type (DCN, ConvAWS, an AW conv...), naming it.
    """
    aw_class = AW_CONV_FOR.get(type(conv))
    if aw_class is None:
        raise ValueError(f'AW cannot wrap a {type(conv).__name__} (conv_cfg/dcn type); it wraps '
                         f'{sorted({c.__module__ + "." + c.__name__ for c in AW_CONV_FOR})}')
    if aw_class is AWConvWS2d:
        aw_kwargs = dict(aw_kwargs, eps=conv.eps)
    return aw_class.from_conv(conv, **aw_kwargs)
