"""A small classifier on mmdet's ResNet / AWResNet: a CIFAR stem for 32 px inputs and optional SE
per block (BasicBlock refuses ``plugins``; docs/classification_protocol.md)."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import build_conv_layer, build_norm_layer
from mmdet.models.backbones.resnet import BasicBlock, ResNet
from mmdet.registry import MODELS
from mmengine.logging import MessageHub
from mmengine.model import BaseDataPreprocessor, BaseModel

from aw_mmdet.models import AWResNet, SEBlock


class SEBasicBlock(BasicBlock):
    """BasicBlock + SE on ``norm2``'s output via a forward hook: mmdet's forward and zero-init stay.

    Args:
        se (dict): SEBlock arguments (``reduction``).
        *args, **kwargs: every argument of BasicBlock.
    """

    def __init__(self, *args, se, **kwargs):
        super().__init__(*args, **kwargs)
        self.se = SEBlock(self.norm2.num_features, **se)
        self.norm2.register_forward_hook(self._excite)

    def _excite(self, norm, args, output):
        return self.se(output)


class CifarResNetMixin:
    """A ResNet with the CIFAR stem and optional SE; names, forward and state dict stay mmdet's.

    Args:
        se (dict, optional): SEBlock arguments; None (default) for no SE.
        last_stage_channels (int, optional): last stage width (parameter-matched control).
        *args, **kwargs: every argument of the ResNet class it is mixed into.
    """

    def __init__(self, *args, se=None, last_stage_channels=None, **kwargs):
        self.se = se
        self.last_stage_channels = last_stage_channels
        super().__init__(*args, **kwargs)
        if last_stage_channels is not None:
            self.feat_dim = last_stage_channels * self.block.expansion

    def _make_stem_layer(self, in_channels, stem_channels):
        if self.deep_stem:
            raise ValueError(f'{type(self).__name__}: deep_stem is not supported (the CIFAR stem '
                             'is a single 3x3 conv)')
        self.conv1 = build_conv_layer(self.conv_cfg, in_channels, stem_channels, kernel_size=3,
                                      stride=1, padding=1, bias=False)
        self.norm1_name, norm1 = build_norm_layer(self.norm_cfg, stem_channels, postfix=1)
        self.add_module(self.norm1_name, norm1)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.Identity()

    def make_res_layer(self, **kwargs):
        if self.last_stage_channels is not None and len(self.res_layers) == self.num_stages - 1:
            kwargs['planes'] = self.last_stage_channels
        if self.se is not None:
            if kwargs['block'] is not BasicBlock:
                raise ValueError(f'{type(self).__name__}: se is for BasicBlock ResNets (depth 18 '
                                 "or 34); Bottleneck ResNets take SE as mmdet's plugins")
            kwargs.update(block=SEBasicBlock, se=self.se)
        return super().make_res_layer(**kwargs)


@MODELS.register_module()
class CifarResNet(CifarResNetMixin, ResNet):
    """mmdet's ResNet with the CIFAR stem (and optional SE), see CifarResNetMixin."""


@MODELS.register_module()
class CifarAWResNet(CifarResNetMixin, AWResNet):
    """AWResNet with the CIFAR stem (and optional SE): AW conv2 in ``stage_with_aw`` stages."""


@MODELS.register_module()
class DigitsClsPreprocessor(BaseDataPreprocessor):
    """uint8 -> normalized float; in training a shift of up to ``shift`` px, drawn from a
    (``seed``, iteration) generator so every variant and a resumed run see the same batches.

    Args:
        mean (float): subtracted from the 0-255 pixel values. Defaults to 127.5.
        std (float): divides the centred values. Defaults to 64.
        shift (int): max translation in px (replicate padding, then a random crop). Defaults to 0.
        seed (int): seed of the augmentation; the tool sets it to the run's seed. Defaults to 0.
    """

    def __init__(self, mean=127.5, std=64.0, shift=0, seed=0):
        super().__init__()
        self.mean, self.std, self.shift, self.seed = float(mean), float(std), int(shift), int(seed)

    def forward(self, data, training=False):
        data = self.cast_data(data)
        inputs = (data['inputs'].float() - self.mean) / self.std
        if training and self.shift > 0:
            inputs = self._random_shift(inputs)
        return dict(inputs=inputs, data_samples=data['data_samples'])

    def _random_shift(self, inputs):
        step = MessageHub.get_current_instance().get_info('iter', 0)
        gen = torch.Generator().manual_seed(self.seed * 1_000_003 + int(step))
        n, _, h, w = inputs.shape
        s = self.shift
        offsets = torch.randint(0, 2 * s + 1, (n, 2), generator=gen).tolist()
        padded = F.pad(inputs, (s, s, s, s), mode='replicate')
        return torch.stack([padded[i, :, dy:dy + h, dx:dx + w]
                            for i, (dy, dx) in enumerate(offsets)])


@MODELS.register_module()
class DigitsClassifier(BaseModel):
    """Backbone -> global average pool of the last stage -> linear layer -> class logits.

    Args:
        backbone (dict): CifarResNet / CifarAWResNet config; last ``out_indices`` = last stage.
        num_classes (int): number of classes. Defaults to 10.
        data_preprocessor (dict, optional): the preprocessor config (DigitsClsPreprocessor).
        init_cfg (dict, optional): mmengine init config of the whole model.
    """

    def __init__(self, backbone, num_classes=10, data_preprocessor=None, init_cfg=None):
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.head = nn.Linear(self.backbone.feat_dim, num_classes)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        """'loss' -> {'loss'}, 'predict' -> [{'pred_label', 'gt_label'}], 'tensor' -> logits."""
        logits = self.head(self.backbone(inputs)[-1].mean((2, 3)))
        if mode == 'loss':
            return dict(loss=F.cross_entropy(logits, data_samples))
        if mode == 'predict':
            preds = logits.argmax(1).tolist()
            gts = data_samples.tolist() if data_samples is not None else [None] * len(preds)
            return [dict(pred_label=p, gt_label=g) for p, g in zip(preds, gts)]
        if mode == 'tensor':
            return logits
        raise ValueError(f'DigitsClassifier: unknown mode {mode!r} (loss, predict or tensor)')
