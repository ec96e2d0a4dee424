"""AW-convolution: a Conv2d whose weight is rescaled per sample by attention of the weight's shape.

O_n = (A_n * W) conv I_n, with A_n computed from I_n by ``AWAttention`` (Zhu et al., "An Attention
Module for Convolutional Neural Networks", arXiv 2108.08205). This file holds the modules: the
argument checks, the attention branch (input -> logits) and ``AWConv2d``'s forward; the formula,
the modulation and the per-sample convolution are in ``functional.py``.
"""
import functools
import hashlib

import torch
import torch.fx
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn.bricks.conv_module import efficient_conv_bn_eval_forward
from mmengine.registry import MODELS
from torch.nn.modules.utils import _pair

from .functional import attention_map, aw_conv2d

ATTENTION_MODES = ('factorized', 'dense')
PADDING_MODES = ('zeros', 'reflect', 'replicate', 'circular')


# ---- argument and input checks: every failure is a ValueError naming the field ----

def _check_int(name, value, minimum=1):
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ValueError(f'AWConv2d: {name} must be an int >= {minimum}, got {value!r}')


def _check_pair(name, value, minimum):
    values = _pair(value)
    if len(values) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        raise ValueError(f'AWConv2d: {name} must be an int or a pair of ints, got {value!r}')
    if any(v < minimum for v in values):
        raise ValueError(f'AWConv2d: {name} must be >= {minimum}, got {value!r}')


def check_aw_args(*, in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
                  padding_mode, reduction, min_hidden, attention):
    _check_int('in_channels', in_channels)
    _check_int('out_channels', out_channels)
    _check_int('groups', groups)
    for name, channels in (('in_channels', in_channels), ('out_channels', out_channels)):
        if channels % groups:
            raise ValueError(f'AWConv2d: {name} ({channels}) must be divisible by groups '
                             f'({groups})')
    _check_pair('kernel_size', kernel_size, 1)
    _check_pair('stride', stride, 1)
    _check_pair('dilation', dilation, 1)
    if isinstance(padding, str):
        if padding not in ('same', 'valid'):
            raise ValueError(f"AWConv2d: padding must be 'same', 'valid' or ints, got {padding!r}")
        if padding == 'same' and any(s != 1 for s in _pair(stride)):
            raise ValueError("AWConv2d: padding='same' needs stride 1")
    else:
        _check_pair('padding', padding, 0)
    if padding_mode not in PADDING_MODES:
        raise ValueError(f'AWConv2d: padding_mode must be one of {PADDING_MODES}, '
                         f'got {padding_mode!r}')
    _check_int('reduction', reduction)
    _check_int('min_hidden', min_hidden)
    if attention not in ATTENTION_MODES:
        raise ValueError(f'AWConv2d: attention must be one of {ATTENTION_MODES}, '
                         f'got {attention!r}')


def check_conv_input(conv, x):
    """Reject inputs the conv cannot take with a ValueError instead of a deep RuntimeError."""
    if x.dim() != 4:
        raise ValueError(f'AWConv2d: input must be 4-D (N, C, H, W), got shape {tuple(x.shape)}')
    if x.shape[1] != conv.in_channels:
        raise ValueError(f'AWConv2d: input has {x.shape[1]} channels, in_channels is '
                         f'{conv.in_channels}')
    if conv.padding == 'same':
        return
    padding = (0, 0) if conv.padding == 'valid' else conv.padding
    for i, axis in enumerate(('height', 'width')):
        span = conv.dilation[i] * (conv.kernel_size[i] - 1) + 1
        if x.shape[2 + i] + 2 * padding[i] < span:
            raise ValueError(f'AWConv2d: input {axis} {x.shape[2 + i]} (+2*padding '
                             f'{padding[i]}) is smaller than the dilated kernel ({span})')


# ---- the attention branch: input -> logits ----

def hidden_channels(in_channels: int, reduction: int, min_hidden: int) -> int:
    """Width h of the bottleneck between pooled input and logits."""
    return max(in_channels // reduction, min_hidden)


def _seed_from_global_state() -> int:
    """A seed derived from the global CPU RNG's state, which it does not advance: an AW model
    then draws exactly the random numbers its stock twin draws, and a seed still fixes it."""
    state = torch.random.get_rng_state().numpy().tobytes()
    return int.from_bytes(hashlib.sha256(state).digest()[:8], 'little') >> 1


class PointwiseLayer(nn.Module):
    """A 1x1 map of the attention branch, initialised by itself, never by a parent.

    Deliberately *not* an ``nn.Conv2d``: mmengine applies a parent's layer-based ``init_cfg``
    (``Kaiming``/``Xavier``/``Normal`` on ``layer='Conv2d'``) and mmdet heads run
    ``isinstance(m, nn.Conv2d)`` loops over every submodule; either would move the logit layers
    off zero (the attention off identity) and draw from the global RNG. ``init='zeros'`` (logit
    layers) starts at zero; ``init='uniform'`` (the hidden layer) draws ``nn.Conv2d``'s default
    init, U(-1/sqrt(in), 1/sqrt(in)), from a private generator seeded from the global RNG's state
    at construction. The weight keeps the 1x1 conv layout ``(out, in, 1, 1)``.

    Args:
        in_channels (int): Input width.
        out_channels (int): Output width.
        init (str): ``'zeros'`` or ``'uniform'``. Defaults to ``'zeros'``.
        device, dtype: Factory arguments, as for ``nn.Conv2d``.
    """

    def __init__(self, in_channels: int, out_channels: int, init: str = 'zeros', device=None,
                 dtype=None):
        super().__init__()
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.init = init
        self.seed = _seed_from_global_state() if init == 'uniform' else None
        factory = dict(device=device, dtype=dtype)
        self.weight = nn.Parameter(torch.empty(out_channels, in_channels, 1, 1, **factory))
        self.bias = nn.Parameter(torch.empty(out_channels, **factory))
        self.reset_parameters()

    def reset_parameters(self):
        with torch.no_grad():
            if self.init == 'zeros':
                self.weight.zero_()
                self.bias.zero_()
                return
            generator = torch.Generator().manual_seed(self.seed)
            bound = self.in_channels ** -0.5
            for param in (self.weight, self.bias):
                values = torch.rand(param.shape, generator=generator, dtype=torch.float64)
                param.copy_((2 * values - 1) * bound)

    def extra_repr(self):
        return f'{self.in_channels}, {self.out_channels}, init={self.init!r}'

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv2d(x, self.weight, self.bias)


def _traceable_bins(length, bins, like):
    """(bins, length) matrix averaging adaptive pooling's bins [floor(i L / b), ceil((i+1) L / b))
    of a runtime (traced) length."""
    i = torch.arange(bins, device=like.device).unsqueeze(1)
    j = torch.arange(length, device=like.device).unsqueeze(0)
    start = torch.div(i * length, bins, rounding_mode='floor')
    end = torch.div((i + 1) * length + bins - 1, bins, rounding_mode='floor')
    return ((j >= start) & (j < end)).to(like.dtype) / (end - start).to(like.dtype)


class AWAttention(nn.Module):
    """The attention branch: conv input x (N, C, H, W) -> logits, with
    A = ``functional.attention_map(logits)`` of the conv weight's shape (N, D, C/g, Kh, Kw).

    The one place that knows the attention's flavour: ``factorized`` predicts one logit per output
    channel and one per input channel at each kernel position (A = 2 sigmoid(a_out + a_in));
    ``dense`` predicts every weight's logit. The logit layers start at zero, so A == 1 and the AW
    conv equals its plain conv until training moves them. Parameter names (``hidden``,
    ``out_logits``, ``in_logits``, ``logits``) are the checkpoint format.

    Args:
        in_channels (int): Channels of the conv input.
        out_channels (int): Output channels of the conv.
        kernel_size (tuple[int, int]): The conv's kernel size.
        groups (int): The conv's groups. Defaults to 1.
        reduction (int): Hidden width is ``in_channels // reduction``. Defaults to 16.
        min_hidden (int): Lower bound of the hidden width. Defaults to 8.
        attention (str): ``'factorized'`` or ``'dense'``. Defaults to ``'factorized'``.
        device, dtype: Factory arguments, as for ``nn.Conv2d``.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, groups: int = 1,
                 reduction: int = 16, min_hidden: int = 8, attention: str = 'factorized',
                 device=None, dtype=None):
        super().__init__()
        factory = dict(device=device, dtype=dtype)
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.in_per_group = in_channels // groups
        self.kernel_size = tuple(kernel_size)
        self.attention_mode = attention
        hidden = hidden_channels(in_channels, reduction, min_hidden)
        self.hidden = PointwiseLayer(in_channels, hidden, init='uniform', **factory)
        if attention == 'factorized':
            self.out_logits = PointwiseLayer(hidden, out_channels, **factory)
            self.in_logits = PointwiseLayer(hidden, self.in_per_group, **factory)
        else:
            self.logits = PointwiseLayer(hidden, out_channels * self.in_per_group, **factory)

    def logit_layers(self):
        """The layers whose zero start makes A == 1."""
        if self.attention_mode == 'factorized':
            return [self.out_logits, self.in_logits]
        return [self.logits]

    def init_weights(self):
        """Back to the start: identity attention (zero logit layers), the hidden layer's own
        init. Called by mmengine parents; draws nothing from the global RNG."""
        for layer in self.children():
            layer.reset_parameters()

    def compute_logits(self, x: torch.Tensor, traced: bool = False):
        """``(a_out (N, D, Kh, Kw), a_in (N, C/g, Kh, Kw))`` (factorized) or
        ``(logits (N, D, C/g, Kh, Kw),)`` (dense).

        The input is average-pooled to the kernel size: where, inside the kernel window, each
        input channel's energy lies. In an ONNX export the pooling is two matmuls with
        bin-averaging matrices built from the runtime shape (the same bins): torch's exporter
        takes adaptive pooling only where the output size divides a fixed input size.
        """
        if traced and torch.onnx.is_in_onnx_export():
            rows = _traceable_bins(x.shape[2], self.kernel_size[0], x)
            cols = _traceable_bins(x.shape[3], self.kernel_size[1], x)
            pooled = torch.matmul(torch.matmul(rows, x), cols.t())
        else:
            pooled = F.adaptive_avg_pool2d(x, self.kernel_size)
        hidden = F.relu(self.hidden(pooled))
        if self.attention_mode == 'factorized':
            return self.out_logits(hidden), self.in_logits(hidden)
        return (self.logits(hidden).view(x.shape[0], self.out_channels, self.in_per_group,
                                         *self.kernel_size),)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The attention map A (N, D, C/g, Kh, Kw) itself (the conv never materialises it)."""
        return attention_map(self.compute_logits(x))

    def extra_flops(self, input_hw, batch: int = 1) -> dict:
        """Closed-form work of one call over the plain conv (docs/aw_conv.md), per part.

        ``pool``, ``hidden`` and ``logits`` are convs/pooling that a FLOP tracer counts itself;
        ``gate`` (add, sigmoid) and ``modulation`` (W * A) are elementwise, which tracers skip.
        """
        h, w = input_hw
        kh, kw = self.kernel_size
        d, cg, hid = self.out_channels, self.in_per_group, self.hidden.out_channels
        weight_elems = d * cg * kh * kw
        counts = dict(pool=self.in_channels * h * w, hidden=kh * kw * self.in_channels * hid)
        if self.attention_mode == 'factorized':
            counts.update(logits=kh * kw * hid * (d + cg), gate=2 * weight_elems)  # add + sigmoid
        else:
            counts.update(logits=kh * kw * hid * d * cg, gate=weight_elems)  # sigmoid
        counts['modulation'] = weight_elems
        return {k: v * batch for k, v in counts.items()}


# ---- the conv ----

@MODELS.register_module('AWConv')
class AWConv2d(nn.Conv2d):
    """Drop-in ``nn.Conv2d`` with attention on its weights; equals the plain conv at init.

    As in ``nn.Conv2d``, ``forward`` is ``_conv_forward(x, weight, bias)``, and ``_conv_forward``
    applies the attention to the weight it is given, so code that folds a batch norm into the
    weight and calls ``_conv_forward`` (mmcv ``ConvModule(efficient_conv_bn_eval=True)``,
    mmengine's ``efficient_conv_bn_eval``) gets (A_n * W') conv I_n, which equals BN(AW conv).
    Under ``torch.fx`` tracing it is one module call, as ``nn.Conv2d`` is.

    Args:
        in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
        padding_mode, device, dtype: As for ``nn.Conv2d`` (all padding modes; the attention is
            computed from the unpadded input).
        reduction (int): Hidden width of the attention is ``in_channels // reduction``.
            Defaults to 16.
        min_hidden (int): Lower bound of that hidden width. Defaults to 8.
        attention (str): ``'factorized'`` (one logit per output and per input channel at each
            kernel position) or ``'dense'`` (one per weight). Defaults to ``'factorized'``.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = 'zeros',
                 device=None, dtype=None, reduction: int = 16, min_hidden: int = 8,
                 attention: str = 'factorized'):
        check_aw_args(in_channels=in_channels, out_channels=out_channels, kernel_size=kernel_size,
                      stride=stride, padding=padding, dilation=dilation, groups=groups,
                      padding_mode=padding_mode, reduction=reduction, min_hidden=min_hidden,
                      attention=attention)
        super().__init__(in_channels, out_channels, kernel_size, stride=stride, padding=padding,
                         dilation=dilation, groups=groups, bias=bias, padding_mode=padding_mode,
                         device=device, dtype=dtype)
        self.reduction = reduction
        self.min_hidden = min_hidden
        self.attention_mode = attention
        self.attention = AWAttention(in_channels, out_channels, self.kernel_size, groups=groups,
                                     reduction=reduction, min_hidden=min_hidden,
                                     attention=attention, device=device, dtype=dtype)

    @classmethod
    def from_conv(cls, conv: nn.Conv2d, **aw_kwargs) -> 'AWConv2d':
        """An AW conv with the geometry, padding mode, device, dtype and a copy of the weights of
        ``conv`` (any conv that computes ``nn.Conv2d.forward``). Draws no random numbers from the
        global RNG: the conv's own weights are copied, not initialised."""
        aw_conv = cls(conv.in_channels, conv.out_channels, conv.kernel_size, stride=conv.stride,
                      padding=conv.padding, dilation=conv.dilation, groups=conv.groups,
                      bias=conv.bias is not None, padding_mode=conv.padding_mode, device='meta',
                      dtype=conv.weight.dtype, **aw_kwargs).to_empty(device=conv.weight.device)
        with torch.no_grad():
            aw_conv.weight.copy_(conv.weight)
            if conv.bias is not None:
                aw_conv.bias.copy_(conv.bias)
        aw_conv.attention.init_weights()
        return aw_conv

    def extra_repr(self):
        return (f'{super().extra_repr()}, reduction={self.reduction}, '
                f'min_hidden={self.min_hidden}, attention={self.attention_mode!r}')

    def extra_flops(self, input_hw, batch: int = 1) -> dict:
        """Work of one call beyond the plain conv, per part (see ``AWAttention.extra_flops``)."""
        return self.attention.extra_flops(input_hw, batch)

    def base_weight(self) -> torch.Tensor:
        """The weight the attention rescales: the conv's own (``AWConvWS2d``: standardized)."""
        return self.weight

    def __call__(self, *args, **kwargs):
        if args and isinstance(args[0], torch.fx.Proxy):
            return self._fx_call(args[0].tracer, args, kwargs)
        return super().__call__(*args, **kwargs)

    def _fx_call(self, tracer, args, kwargs):
        """Under torch.fx (mmengine's ``efficient_conv_bn_eval`` traces the model): one call of
        this module, as fx records ``nn.Conv2d`` (fx treats only torch.nn classes as leaves),
        instead of tracing into shape-dependent code.

        ConvModule's efficient conv-bn path swaps this conv's ``forward`` for the call when its
        BN is in eval mode; fx then records the conv alone and the graph would drop the BN (what
        it does to a plain ``nn.Conv2d``). Here the graph gets ConvModule's conv + BN instead,
        decided when the graph runs (``_conv_module_conv_bn``). Another swapped forward cannot be
        recorded faithfully and is an error.
        """
        swapped = self.__dict__.get('forward')
        if swapped is None:
            return tracer.create_proxy('call_module', tracer.path_of_module(self), args, kwargs)
        if not (isinstance(swapped, functools.partial)
                and swapped.func is efficient_conv_bn_eval_forward):
            raise RuntimeError(
                f'AWConv2d: torch.fx traced {tracer.path_of_module(self)!r} while its forward '
                f'was replaced by {swapped!r}; AW records only its own forward and mmcv '
                "ConvModule's efficient conv-bn forward (docs/usage.md, 'Where AW can go')")
        norm, conv = swapped.args
        modules = [tracer.create_proxy('get_attr', tracer.path_of_module(m), (), {})
                   for m in (norm, conv)]
        return tracer.create_proxy('call_function', _conv_module_conv_bn, (*modules, *args),
                                   kwargs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self._conv_forward(x, self.base_weight(), self.bias)

    def _conv_forward(self, x: torch.Tensor, weight: torch.Tensor, bias) -> torch.Tensor:
        """(A_n * weight) conv x_n with A_n from x: the AW counterpart of nn.Conv2d's."""
        traced = torch.jit.is_tracing()  # one graph for every batch size: no checks, no shortcuts
        if not traced:
            check_conv_input(self, x)
            if x.shape[0] == 0:  # e.g. a mask head with no RoIs: an empty output, as nn.Conv2d
                return super()._conv_forward(x, weight, bias)
        logits = self.attention.compute_logits(x, traced)
        padding = self.padding
        if self.padding_mode != 'zeros' or isinstance(padding, str):
            mode = 'constant' if self.padding_mode == 'zeros' else self.padding_mode
            x = F.pad(x, self._reversed_padding_repeated_twice, mode=mode)
            padding = (0, 0)
        return aw_conv2d(x, weight, bias, logits, self.stride, padding, self.dilation,
                         self.groups, traced=traced)


def _conv_module_conv_bn(norm, conv, x):
    """ConvModule's conv + BN with its efficient eval path, decided when the graph runs."""
    if norm.training:
        return norm(conv(x))
    return efficient_conv_bn_eval_forward(norm, conv, x)


def standardize_weight(weight: torch.Tensor, eps: float) -> torch.Tensor:
    """Weight standardization (Qiao et al., arXiv 1903.10520): zero mean, unit std per filter."""
    flat = weight.flatten(1)
    shape = (-1,) + (1,) * (weight.dim() - 1)
    return (weight - flat.mean(1).view(shape)) / (flat.std(1).view(shape) + eps)


@MODELS.register_module('AWConvWS')
class AWConvWS2d(AWConv2d):
    """``AWConv2d`` whose attention rescales the standardized weight, as mmcv ``ConvWS2d``
    convolves with the standardized weight; what ``AWResNet(conv_cfg=dict(type='ConvWS'))`` uses
    for its AW convs.

    Args:
        eps (float): Added to the filter std, as in mmcv ``ConvWS2d``. Defaults to 1e-5.
        *args, **kwargs: As for ``AWConv2d``.
    """

    def __init__(self, *args, eps: float = 1e-5, **kwargs):
        super().__init__(*args, **kwargs)
        self.eps = eps

    def base_weight(self) -> torch.Tensor:
        return standardize_weight(self.weight, self.eps)
