"""The attention branch of AW-convolution: input -> a map of the conv weight's own shape.

Parameter names (``hidden``, ``out_logits``, ``in_logits``, ``logits``) are part of the checkpoint
format; do not rename them.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

ATTENTION_MODES = ('factorized', 'dense')


def hidden_channels(in_channels: int, reduction: int, min_hidden: int) -> int:
    """Width h of the bottleneck between pooled input and logits."""
    return max(in_channels // reduction, min_hidden)


class AWAttention(nn.Module):
    """Computes A (N, D, C/g, Kh, Kw) = 2 * sigmoid(logits) from the conv input x (N, C, H, W).

    The logit layers start at zero so that A == 1 and the AW conv equals its plain conv until
    training moves them; ``init_weights`` restores that after a parent's init_cfg (e.g. Kaiming on
    every Conv2d) has run.
    """

    def __init__(self, in_channels, out_channels, kernel_size, groups=1, reduction=16,
                 min_hidden=8, attention='factorized'):
        super().__init__()
        self.out_channels = out_channels
        self.in_per_group = in_channels // groups
        self.kernel_size = tuple(kernel_size)
        self.mode = attention
        hidden = hidden_channels(in_channels, reduction, min_hidden)
        self.hidden = nn.Conv2d(in_channels, hidden, 1, bias=True)
        if attention == 'factorized':
            self.out_logits = nn.Conv2d(hidden, out_channels, 1, bias=True)
            self.in_logits = nn.Conv2d(hidden, self.in_per_group, 1, bias=True)
        else:
            self.logits = nn.Conv2d(hidden, out_channels * self.in_per_group, 1, bias=True)
        self.init_weights()

    def logit_layers(self):
        if self.mode == 'factorized':
            return [self.out_logits, self.in_logits]
        return [self.logits]

    def init_weights(self):
        """Zero the logit layers so the attention map is exactly 1 (identity)."""
        with torch.no_grad():
            for layer in self.logit_layers():
                layer.weight.zero_()
                layer.bias.zero_()

    def compute_logits(self, x: torch.Tensor):
        """(out_logits (N, D, Kh, Kw), in_logits (N, C/g, Kh, Kw)) in factorized mode, or
        (logits (N, D, C/g, Kh, Kw),) in dense mode; A = 2 * sigmoid(their broadcast sum)."""
        pooled = F.adaptive_avg_pool2d(x, self.kernel_size)
        hidden = F.relu(self.hidden(pooled))
        if self.mode == 'factorized':
            return self.out_logits(hidden), self.in_logits(hidden)
        n, (kh, kw) = x.shape[0], self.kernel_size
        return (self.logits(hidden).view(n, self.out_channels, self.in_per_group, kh, kw),)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The attention map A (N, D, C/g, Kh, Kw) itself (AWConv2d fuses it with the weight)."""
        logits = self.compute_logits(x)
        if self.mode == 'factorized':
            logits = (logits[0].unsqueeze(2) + logits[1].unsqueeze(1),)
        return 2.0 * torch.sigmoid(logits[0])
