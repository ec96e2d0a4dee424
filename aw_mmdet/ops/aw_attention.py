"""The attention branch of AW-convolution: input -> a map of the conv weight's own shape.

Parameter names (``hidden``, ``out_logits``, ``in_logits``, ``logits``) are part of the checkpoint
format; do not rename them.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from .weight_modulation import modulate_dense, modulate_factorized

ATTENTION_MODES = ('factorized', 'dense')


def hidden_channels(in_channels: int, reduction: int, min_hidden: int) -> int:
    """Width h of the bottleneck between pooled input and logits."""
    return max(in_channels // reduction, min_hidden)


class LogitLayer(nn.Module):
    """A zero-initialised 1x1 map from the hidden features to attention logits.

    Deliberately *not* an ``nn.Conv2d``: mmengine applies a parent's layer-based ``init_cfg``
    (``Kaiming``/``Xavier``/``Normal`` on ``layer='Conv2d'``) and mmdet heads run
    ``isinstance(m, nn.Conv2d)`` loops over every submodule. Either would move these weights off
    zero and the attention off identity, whatever the parents' init order. The weight keeps the
    1x1 conv layout ``(out, in, 1, 1)`` so checkpoints are unchanged.

    Args:
        in_channels (int): Hidden width.
        out_channels (int): Number of logits per kernel position.
        device, dtype: Factory arguments, as for ``nn.Conv2d``.
    """

    def __init__(self, in_channels: int, out_channels: int, device=None, dtype=None):
        super().__init__()
        self.in_channels = in_channels
        self.out_channels = out_channels
        factory = dict(device=device, dtype=dtype)
        self.weight = nn.Parameter(torch.zeros(out_channels, in_channels, 1, 1, **factory))
        self.bias = nn.Parameter(torch.zeros(out_channels, **factory))

    def reset_parameters(self):
        with torch.no_grad():
            self.weight.zero_()
            self.bias.zero_()

    def extra_repr(self):
        return f'{self.in_channels}, {self.out_channels}'

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        return F.conv2d(hidden, self.weight, self.bias)


class AWAttention(nn.Module):
    """Computes A (N, D, C/g, Kh, Kw) = 2 * sigmoid(logits) from the conv input x (N, C, H, W).

    The one place that knows the attention's flavour: ``factorized`` predicts one logit per output
    channel and one per input channel at each kernel position (A = 2 sigmoid(a_out + a_in));
    ``dense`` predicts every weight's logit. The logit layers start at zero, so A == 1 and the AW
    conv equals its plain conv until training moves them.

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
        self.mode = attention
        hidden = hidden_channels(in_channels, reduction, min_hidden)
        self.hidden = nn.Conv2d(in_channels, hidden, 1, bias=True, **factory)
        if attention == 'factorized':
            self.out_logits = LogitLayer(hidden, out_channels, **factory)
            self.in_logits = LogitLayer(hidden, self.in_per_group, **factory)
        else:
            self.logits = LogitLayer(hidden, out_channels * self.in_per_group, **factory)

    def logit_layers(self):
        if self.mode == 'factorized':
            return [self.out_logits, self.in_logits]
        return [self.logits]

    def init_weights(self):
        """Zero the logit layers so the attention map is exactly 1 (identity)."""
        for layer in self.logit_layers():
            layer.reset_parameters()

    def compute_logits(self, x: torch.Tensor):
        """(out_logits (N, D, Kh, Kw), in_logits (N, C/g, Kh, Kw)) in factorized mode, or
        (logits (N, D, C/g, Kh, Kw),) in dense mode; A = 2 * sigmoid(their broadcast sum)."""
        pooled = F.adaptive_avg_pool2d(x, self.kernel_size)
        hidden = F.relu(self.hidden(pooled))
        if self.mode == 'factorized':
            return self.out_logits(hidden), self.in_logits(hidden)
        n, (kh, kw) = x.shape[0], self.kernel_size
        return (self.logits(hidden).view(n, self.out_channels, self.in_per_group, kh, kw),)

    def modulate(self, weight: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """A_n * weight for every sample n of x: (N, D, C/g, Kh, Kw).

        ``weight`` is whatever the conv convolves with (its own weight, or one with a batch norm
        folded in); A is computed from ``x``. Traced graphs (``torch.jit.trace``, ONNX) get the
        plain formula, since a custom autograd node would be an opaque Python op there.
        """
        logits = self.compute_logits(x)
        if torch.jit.is_tracing():
            return weight.unsqueeze(0) * self._map_from_logits(logits)
        if self.mode == 'factorized':
            return modulate_factorized(weight, *logits)
        return modulate_dense(weight, *logits)

    def _map_from_logits(self, logits):
        if self.mode == 'factorized':
            logits = (logits[0].unsqueeze(2) + logits[1].unsqueeze(1),)
        return 2.0 * torch.sigmoid(logits[0])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The attention map A (N, D, C/g, Kh, Kw) itself (``modulate`` fuses it with W)."""
        return self._map_from_logits(self.compute_logits(x))

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
        if self.mode == 'factorized':
            counts.update(logits=kh * kw * hid * (d + cg), gate=2 * weight_elems)  # add + sigmoid
        else:
            counts.update(logits=kh * kw * hid * d * cg, gate=weight_elems)  # sigmoid
        counts['modulation'] = weight_elems
        return {k: v * batch for k, v in counts.items()}
