"""A case's model for one variant, its batch and step, built alike for every variant: weights drawn
by name, so variants share every common one (else heads keep different boxes through NMS), AW's
attention is not the identity and DCN offsets are ~1 px; backbone BN statistics from the case's
batch, as a checkpoint would bring them (with a fresh model's, AW's weights underflow to subnormals
and the benchmark times underflow, not AW). docs/benchmarks.md says more."""
import copy
import dataclasses
import logging
import math
import zlib
from typing import Callable

import torch
from mmdet.registry import MODELS
from mmdet.structures import DetDataSample
from mmdet.utils import register_all_modules
from mmengine.logging import MMLogger
from mmengine.model import BaseModel
from mmengine.optim import build_optim_wrapper
from mmengine.structures import InstanceData
from torch.nn.modules.batchnorm import _BatchNorm

from .timing import is_cuda
from .variants import (
    backbone_config,
    classifier_config,
    demo_config,
    detector_config,
)

SGD = dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.0, momentum=0.9))
ATTENTION_STD = 0.05
OFFSET_STD = 1.0  # pixels
CONFIGS = {'r101': detector_config, 'demo': demo_config, 'classifier': classifier_config}


class MeanLoss(BaseModel):
    """A backbone as a model whose loss is its outputs' mean, to train as detectors do."""

    def __init__(self, backbone):
        super().__init__()
        self.backbone = backbone

    def forward(self, inputs, data_samples=None, mode='tensor'):
        outs = self.backbone(inputs)
        outs = tuple(outs) if isinstance(outs, (tuple, list)) else (outs,)
        return dict(loss=sum(out.mean() for out in outs)) if mode == 'loss' else outs


@dataclasses.dataclass
class Entry:
    """One variant of a case, ready to run: ``step()`` is one training step or inference."""
    model: BaseModel
    data: dict
    step: Callable[[], None]


def build(case, variant, device='cpu', amp=False):
    """The entry of ``variant`` for ``case``.

    Args:
        case (Case): What to build (cases.py).
        variant (str): One of ``case.variants``.
        device (str): Defaults to 'cpu'.
        amp (bool): fp16 AMP (CUDA only). Defaults to False.
    """
    register_all_modules()
    torch.manual_seed(0)
    if case.model == 'backbone':
        model, wrapper = MeanLoss(MODELS.build(backbone_config(variant, case.depth))), SGD
    else:
        cfg = CONFIGS[case.model](variant)
        model, wrapper = MODELS.build(cfg.model), cfg.optim_wrapper
    init_by_name(model)
    model.to(device)
    data = make_data(case, model, device)
    if any(isinstance(m, _BatchNorm) for m in model.modules()):
        calibrate_backbone_bn(model, [data])
    if case.mode == 'infer':
        return Entry(model, data, _inference(model, data))
    wrapper = optim_wrapper(model, wrapper, device, amp)
    return Entry(model, data, _train_step(model, data, wrapper))


def optim_wrapper(model, cfg, device='cpu', amp=False):
    """``cfg``'s optimizer wrapper at lr 0: any lr's work on fixed weights (DCN's offsets stay).

    Args:
        model (BaseModel): The model it optimizes.
        cfg (dict): An optimizer wrapper config.
        device (str): Defaults to 'cpu'.
        amp (bool): As in ``build``. Defaults to False.
    """
    logger = MMLogger.get_current_instance()
    level = logger.level
    logger.setLevel(logging.ERROR)  # not a line per parameter group
    try:
        return build_optim_wrapper(model, wrapper_config(cfg, device, amp))
    finally:
        logger.setLevel(level)


def wrapper_config(cfg, device='cpu', amp=False):
    """A copy of ``cfg`` at lr 0, mixed precision with ``amp`` (arguments as ``optim_wrapper``)."""
    cfg = copy.deepcopy(cfg)
    cfg['optimizer']['lr'] = 0.0
    if amp:
        if not is_cuda(device):
            raise ValueError('--amp needs a CUDA device (mmengine\'s AmpOptimWrapper)')
        cfg.update(type='AmpOptimWrapper', dtype='float16')
    return cfg


def _train_step(model, data, wrapper):
    def step():
        model.train()
        model.train_step(data, wrapper)
    return step


def _inference(model, data):
    def step():
        model.eval()
        with torch.no_grad():
            model.test_step(data)
    return step


def make_data(case, model, device='cpu'):
    """A fixed batch of ``case``'s inputs on ``device``, so the step times the model, not a loader.

    Args:
        case (Case): Its model kind, input size and batch.
        model (BaseModel): The built model (for a detector's or classifier's number of classes).
        device (str): Defaults to 'cpu'.
    """
    gen = torch.Generator().manual_seed(0)
    n, (h, w) = case.batch, case.size
    if case.model in ('r101', 'demo'):
        return synthetic_batch(n, h, w, model.roi_head.bbox_head.num_classes, device)
    if case.model == 'classifier':
        images = torch.randint(0, 256, (n, 3, h, w), generator=gen, dtype=torch.uint8)
        labels = torch.randint(0, model.head.out_features, (n,), generator=gen)
        return dict(inputs=images.to(device), data_samples=labels.to(device))
    return dict(inputs=torch.randn(n, 3, h, w, generator=gen).to(device))


def synthetic_batch(batch, height, width, num_classes=80, device='cpu'):
    """Detection images and four ground-truth boxes each, in the data preprocessor's format.

    Args:
        batch (int): Images.
        height, width (int): Image size.
        num_classes (int): Labels are drawn below it. Defaults to 80.
        device (str): Where the images are. Defaults to 'cpu'.
    """
    gen = torch.Generator().manual_seed(0)
    inputs = [(torch.rand(3, height, width, generator=gen) * 255).to(torch.uint8).to(device)
              for _ in range(batch)]
    samples = []
    for _ in range(batch):
        s = DetDataSample(metainfo=dict(img_shape=(height, width), ori_shape=(height, width),
                                        scale_factor=(1.0, 1.0)))
        xy = torch.rand(4, 2, generator=gen) * torch.tensor([width * 0.6, height * 0.6])
        wh = 32 + torch.rand(4, 2, generator=gen) * torch.tensor([width * 0.3, height * 0.3])
        s.gt_instances = InstanceData(bboxes=torch.cat([xy, xy + wh], 1),
                                      labels=torch.randint(0, num_classes, (4,), generator=gen))
        samples.append(s)
    return dict(inputs=inputs, data_samples=samples)


@torch.no_grad()
def init_by_name(model: torch.nn.Module):
    """Draw each parameter from a generator seeded by its name; return the attention count."""
    attention = 0
    for name, param in model.named_parameters():
        gen = torch.Generator().manual_seed(zlib.crc32(name.encode()))
        if '.attention.' in name:
            value = torch.randn(param.shape, generator=gen) * ATTENTION_STD
            attention += 1
        elif '.conv_offset.' in name:
            value = (torch.zeros(param.shape) if name.endswith('weight')
                     else torch.randn(param.shape, generator=gen) * OFFSET_STD)
        elif param.dim() > 1:
            fan_in = param[0].numel()
            value = torch.randn(param.shape, generator=gen) * math.sqrt(2.0 / fan_in)
        elif name.endswith('weight'):
            value = torch.ones(param.shape)
        else:
            value = torch.zeros(param.shape)
        param.copy_(value.to(param.dtype))
    return attention


@torch.no_grad()
def calibrate_backbone_bn(model, batches):
    """Set each backbone BN's running stats from ``batches``; return the number of BNs set."""
    norms = [m for m in model.backbone.modules() if isinstance(m, _BatchNorm)]
    saved = [(m.training, m.momentum) for m in norms]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None
        m.train()
    for data in batches:
        model.backbone(model.data_preprocessor(data, True)['inputs'])
    for m, (training, momentum) in zip(norms, saved):
        m.momentum = momentum
        m.train(training)
    return len(norms)
