"""The published alternatives AW is weighed against at op level, each built at one 3x3 conv shape.

Every peer maps (N, C, H, W) to what ``nn.Conv2d(C, C, 3, stride, 1)`` gives, so one input serves
all of them and each is timed against that plain conv:

- ``conv``: ``nn.Conv2d``, the baseline of every ratio;
- ``aw_factorized``, ``aw_dense``: ``AWConv2d.from_conv`` in its two attention modes;
- ``dcnv2``: mmcv ``ModulatedDeformConv2dPack`` (what mmdet's ``dcn=dict(type='DCNv2')`` builds);
- ``condconv4``: a CondConv2d with 4 experts, routed as timm's EfficientNet routes it (global
  average pool -> Linear -> sigmoid): timm's when timm imports (an optional dependency), else the
  same algorithm in condconv.py (timm needs a torchvision this CPU torch has no build of);
- ``se``, ``cbam``, ``gcnet``, ``ga_0010``: the conv followed by a block-level attention (this
  repo's SEBlock and CBAMBlock, mmcv's ContextBlock at ratio 1/4 and GeneralizedAttention '0010'
  as mmdet's GCNet and empirical-attention configs set them). mmdet puts SE, CBAM and GCNet after
  a block's conv3 (4C channels) and GA after conv2; here all sit after the 3x3 conv on its C
  channels, so the op table shows their cost per conv and the detector table their real cost.

AW's attention gets a fixed, non-identity draw (N(0, ATTENTION_STD)) and DCN's offset/mask conv
fixed offsets of about a pixel (weight 0, bias N(0, OFFSET_STD)), as after training, instead of
the identity or zero-offset start (see shared_weights).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from aw_mmdet.models.plugins import CBAMBlock, SEBlock
from aw_mmdet.ops import AWConv2d

from .shared_weights import ATTENTION_STD, OFFSET_STD

OP_PEERS = ('conv', 'aw_factorized', 'aw_dense', 'dcnv2', 'condconv4', 'se', 'cbam', 'gcnet',
            'ga_0010')
BASELINE = 'conv'
CONDCONV_EXPERTS = 4


class PeerUnavailable(Exception):
    """A peer that cannot be built here (an optional package missing); the message says why."""


class RoutedCondConv(nn.Module):
    """timm's CondConv2d with the routing of timm's ``CondConvResidual``: one sigmoid weight per
    expert from the globally pooled input."""

    def __init__(self, cond_conv_cls, channels, stride, num_experts=CONDCONV_EXPERTS):
        super().__init__()
        self.routing_fn = nn.Linear(channels, num_experts)
        self.cond_conv = cond_conv_cls(channels, channels, 3, stride=stride, padding=1,
                                       bias=False, num_experts=num_experts)

    def forward(self, x):
        routing_weights = torch.sigmoid(self.routing_fn(F.adaptive_avg_pool2d(x, 1).flatten(1)))
        return self.cond_conv(x, routing_weights)


def cond_conv2d():
    """(CondConv2d class, where it comes from): timm's if it imports, else condconv.py's."""
    try:
        return timm_cond_conv2d(), 'timm'
    except PeerUnavailable as why:
        from .condconv import CondConv2d
        return CondConv2d, f'experiments/benchmark/condconv.py ({why})'


def timm_cond_conv2d():
    """timm's ``CondConv2d`` class, or ``PeerUnavailable`` saying why it does not import."""
    try:
        from timm.layers import CondConv2d
    except Exception as error:  # ImportError, or a RuntimeError from a torchvision built for
        # another torch (its ops fail to register when timm imports it)
        reason = (str(error).strip().splitlines() or [''])[-1]
        raise PeerUnavailable(f'timm.layers.CondConv2d does not import '
                              f'({type(error).__name__}: {reason[:160]})') from error
    return CondConv2d


def build_peer(name, channels, stride, device='cpu', seed=0):
    """One op-level peer at a 3x3 conv shape, seeded so repeated builds are identical.

    Args:
        name (str): One of ``OP_PEERS``.
        channels (int): Input and output channels of the 3x3 conv.
        stride (int): Its stride.
        device (str): Where the module lives. Defaults to 'cpu'.
        seed (int): Seed of the random initialization. Defaults to 0.

    Returns:
        nn.Module: the peer, in train mode.

    Raises:
        PeerUnavailable: the peer needs an optional package that does not import here.
    """
    if name not in OP_PEERS:
        raise ValueError(f'unknown peer {name!r}; expected one of {OP_PEERS}')
    torch.manual_seed(seed)
    conv = nn.Conv2d(channels, channels, 3, stride, 1, bias=False)
    if name == 'conv':
        peer = conv
    elif name in ('aw_factorized', 'aw_dense'):
        peer = AWConv2d.from_conv(conv, attention=name[len('aw_'):])
        with torch.no_grad():
            for p in peer.attention.parameters():
                p.normal_(0, ATTENTION_STD)
    elif name == 'dcnv2':
        from mmcv.ops import ModulatedDeformConv2dPack
        peer = ModulatedDeformConv2dPack(channels, channels, 3, stride, 1, bias=False)
        with torch.no_grad():
            peer.conv_offset.weight.zero_()
            peer.conv_offset.bias.normal_(0, OFFSET_STD)
    elif name == 'condconv4':
        peer = RoutedCondConv(cond_conv2d()[0], channels, stride)
    else:
        peer = nn.Sequential(conv, _attention_block(name, channels))
    return peer.to(device)


def _attention_block(name, channels):
    if name == 'se':
        return SEBlock(channels, reduction=16)
    if name == 'cbam':
        return CBAMBlock(channels, reduction=16, kernel_size=7)
    from mmcv.cnn.bricks import ContextBlock, GeneralizedAttention
    if name == 'gcnet':
        return ContextBlock(channels, ratio=1. / 4)
    return GeneralizedAttention(channels, spatial_range=-1, num_heads=8, attention_type='0010',
                                kv_stride=2)
