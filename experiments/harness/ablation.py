"""Does the attention matter, per sample? (docs/evidence_protocol.md section 5.7)

The trained model is evaluated on the test split four ways, each AW conv computing:

- ``full``: as trained, (A_n * W) conv x_n;
- ``off``: A := 1, its plain conv with its own weight;
- ``mean``: A := one static map per conv, the mean of A over training images;
- ``shuffled``: each image gets another image's attention: ``'next'``, the next image's in the
  batch (a roll by one); ``'previous'``, that of the image before it in the stream of calls (the
  evaluation runs the last image first, so the first image gets the last one's).

:func:`ablated` gives each AW conv instance its own ``forward`` (aw_mmdet is not touched) and
restores them after; shuffled logits come from the other image's features as they reach the conv.
"""
import contextlib
import re

import torch
import torch.nn as nn
import torch.nn.functional as F

from aw_mmdet.ops import aw_convs, recording_attention
from aw_mmdet.ops.functional import aw_conv2d

MODES = ('full', 'off', 'mean', 'shuffled')
SHUFFLES = ('next', 'previous')


def stage_of(name: str) -> str:
    """'layer3' for 'backbone.layer3.4.conv2' (the ResNet stage), else the module's parent."""
    match = re.search(r'(layer\d+)', name)
    return match.group(1) if match else name.rsplit('.', 1)[0]


def _plain(conv, weight):
    """A forward computing nn.Conv2d's conv with ``weight()`` (the conv's padding and bias)."""
    return lambda x: nn.Conv2d._conv_forward(conv, x, weight(), conv.bias)


def _roll(logits):
    """Each image gets the logits of the next image of its batch (the last gets the first's)."""
    return tuple(t.roll(-1, 0) for t in logits)


class _Previous:
    """Logits of the image before each, over the stream of calls (unprimed: the batch's last)."""

    def __init__(self):
        self.last = None

    def __call__(self, logits):
        last = self.last or tuple(t[-1:] for t in logits)
        self.last = tuple(t[-1:].detach() for t in logits)
        return tuple(torch.cat([p, t[:-1]]) for p, t in zip(last, logits))


def _shuffled(conv, order):
    """A forward convolving each image with W rescaled by another image's attention."""
    def forward(x):
        logits = order(conv.attention.compute_logits(x))  # from the unpadded input, as AWConv2d
        padding = conv.padding
        if conv.padding_mode != 'zeros' or isinstance(padding, str):
            mode = 'constant' if conv.padding_mode == 'zeros' else conv.padding_mode
            x = F.pad(x, conv._reversed_padding_repeated_twice, mode=mode)
            padding = (0, 0)
        return aw_conv2d(x, conv.base_weight(), conv.bias, logits, conv.stride, padding,
                         conv.dilation, conv.groups)
    return forward


@contextlib.contextmanager
def ablated(model, mode, mean_maps=None, shuffle='next'):
    """Within the block, every AW conv of ``model`` computes ``mode`` (see the module).

    Args:
        model (nn.Module): a model holding AW convs.
        mode (str): one of ``MODES``.
        mean_maps (dict, optional): {conv name: A (D, C/g, Kh, Kw)} for ``'mean'``
            (:meth:`AttentionMoments.mean_maps`).
        shuffle (str): ``'next'`` or ``'previous'``, for ``'shuffled'``. Defaults to 'next'.
    """
    if mode not in MODES or shuffle not in SHUFFLES:
        raise ValueError(f'ablated: mode must be one of {MODES} and shuffle one of {SHUFFLES}, '
                         f'got {mode!r}, {shuffle!r}')
    convs = aw_convs(model)
    if mode == 'mean' and set(convs) - set(mean_maps or {}):
        raise ValueError(f'ablated: no mean map for {sorted(set(convs) - set(mean_maps or {}))}')
    forwards = {}
    for name, conv in convs.items():
        if mode == 'off':
            forwards[name] = _plain(conv, conv.base_weight)
        elif mode == 'mean':
            forwards[name] = _plain(conv, lambda conv=conv, a=mean_maps[name]:
                                    conv.base_weight() * a.to(conv.weight))
        elif mode == 'shuffled':
            forwards[name] = _shuffled(conv, _roll if shuffle == 'next' else _Previous())
    saved = {name: convs[name].__dict__.get('forward') for name in forwards}
    for name, forward in forwards.items():
        convs[name].forward = forward
    try:
        yield
    finally:
        for name, forward in saved.items():
            if forward is None:
                del convs[name].forward
            else:
                convs[name].forward = forward


class AttentionMoments:
    """Per AW conv, sums of A - 1, (A - 1)^2, |A - 1| and max |A - 1| over images (an
    ``on_attention`` callback)."""

    def __init__(self):
        self.sums = {}  # name -> [images, sum (A - 1), sum (A - 1)^2, sum |A - 1|, max |A - 1|]

    def __call__(self, name, attention):
        dev = attention.detach().double() - 1
        sums = self.sums.setdefault(name, [0, 0.0, 0.0, 0.0, 0.0])
        sums[0] += dev.shape[0]
        sums[1] = sums[1] + dev.sum(0)
        sums[2] = sums[2] + (dev * dev).sum(0)
        sums[3] += float(dev.abs().sum())
        sums[4] = max(sums[4], float(dev.abs().max()))

    @property
    def images(self):
        return max((s[0] for s in self.sums.values()), default=0)

    def mean_maps(self):
        """{conv name: the mean of A over the images (D, C/g, Kh, Kw), float32}."""
        return {name: (1 + s[1] / s[0]).float() for name, s in self.sums.items()}

    def _stages(self):
        stages = {}
        for name, (n, dev, square, absolute, peak) in sorted(self.sums.items()):
            mean, second = dev / n, square / n
            var = (second - mean * mean).clamp_min(0)
            st = stages.setdefault(stage_of(name), dict(sd=0.0, var=0.0, second=0.0, abs=0.0,
                                                        max=0.0, weights=0, images=n))
            st['sd'] += float(var.sqrt().sum())
            st['var'] += float(var.sum())
            st['second'] += float(second.sum())
            st['abs'] += absolute / n
            st['max'] = max(st['max'], peak)
            st['weights'] += mean.numel()
        return dict(sorted(stages.items()))

    def attention(self):
        """How far A moved from its identity start: mean and max |A - 1| per AW stage and over
        all AW convs."""
        stages = self._stages()
        return dict(mean_abs_dev=sum(st['abs'] for st in stages.values()) / sum(
                        st['weights'] for st in stages.values()),
                    max_abs_dev=max(st['max'] for st in stages.values()),
                    stages={stage: dict(mean=st['abs'] / st['weights'], max=st['max'])
                            for stage, st in stages.items()},
                    num_aw_convs=len(self.sums), num_images=self.images)

    def variation(self):
        """Per AW stage: ``between_sd``, the std of A over images (population) per weight,
        averaged over the stage's weights; ``mean_abs_dev``, mean |A - 1|; ``between_share``,
        the share of E[(A - 1)^2] that is between-image variance (summed over the stage's
        weights; None where A == 1 throughout); ``num_images``."""
        return {stage: dict(between_sd=st['sd'] / st['weights'],
                            mean_abs_dev=st['abs'] / st['weights'],
                            between_share=st['var'] / st['second'] if st['second'] > 0 else None,
                            num_images=st['images'])
                for stage, st in self._stages().items()}


@torch.no_grad()
def evaluate(model, batches, evaluator, prime=False):
    """The evaluator's metrics of ``model`` over ``batches`` (what mmengine's TestLoop does,
    without its hooks). ``prime``: first run the last batch, output discarded."""
    model.eval()
    if prime:
        model.test_step(batches[-1])
    for batch in batches:
        evaluator.process(data_samples=model.test_step(batch), data_batch=batch)
    return {k: float(v) for k, v in evaluator.evaluate(
        sum(len(b['inputs']) for b in batches)).items()}


def _batches(loader_cfg, dataset, batch_size, limit=None):
    """``dataset``'s batches in order, ``loader_cfg``'s collate (first ``limit`` images only)."""
    from mmengine.registry import DATASETS
    from mmengine.runner import Runner
    dataset = DATASETS.build(dataset)
    if hasattr(dataset, 'full_init'):
        dataset.full_init()
    metainfo = dataset.metainfo
    if limit is not None and limit < len(dataset):
        dataset = torch.utils.data.Subset(dataset, range(limit))
    loader = Runner.build_dataloader(dict(
        loader_cfg, dataset=dataset, batch_size=batch_size, num_workers=0,
        persistent_workers=False, sampler=dict(type='DefaultSampler', shuffle=False)))
    return list(loader), metainfo


def run_ablations(runner, settings):
    """The four test-split evaluations, and A's variation and movement (``attention``) over the
    test images in the full evaluation; None without AW convs.

    Args:
        runner (mmengine.runner.Runner): after training; gives test loader and evaluator configs.
        settings (dict): ``batch_size`` of the test batches; ``mean_dataset``, the training
            images' dataset config (test pipeline); ``mean_images``, how many of them (None:
            all); ``shuffle``, ``'next'`` or ``'previous'``.
    """
    model = runner.model
    if not aw_convs(model):
        return None
    cfg = runner.cfg
    moments = AttentionMoments()
    train, _ = _batches(cfg.test_dataloader, settings['mean_dataset'], settings['batch_size'],
                        settings.get('mean_images'))
    model.eval()
    with torch.no_grad(), recording_attention(model, moments):
        for batch in train:
            model.test_step(batch)
    del train
    test, metainfo = _batches(cfg.test_dataloader, cfg.test_dataloader.dataset,
                              settings['batch_size'])
    metrics, variation, means = {}, AttentionMoments(), moments.mean_maps()
    for mode in MODES:
        evaluator = runner.build_evaluator(cfg.test_evaluator)
        evaluator.dataset_meta = metainfo
        record = recording_attention(model, variation) if mode == 'full' else \
            contextlib.nullcontext()
        with ablated(model, mode, means, settings['shuffle']), record:
            metrics[mode] = evaluate(model, test, evaluator,
                                     prime=mode == 'shuffled' and settings['shuffle'] == 'previous')
    return dict(metrics=metrics, variation=variation.variation(), attention=variation.attention(),
                mean_images=moments.images,
                test_images=variation.images, batch_size=settings['batch_size'],
                shuffle=settings['shuffle'])
