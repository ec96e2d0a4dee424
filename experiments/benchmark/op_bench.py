"""Op level: nn.Conv2d vs AWConv2d at every distinct 3x3 conv shape of ResNet-101."""
import torch
import torch.nn as nn

from aw_mmdet.ops import AWConv2d

from .shared_weights import ATTENTION_STD
from .timing import ratio, time_pair


def resnet101_3x3_shapes(height, width):
    """(channels, input H, input W, stride) of each distinct 3x3 conv in ResNet-101 (pytorch
    style: the stride sits on conv2 of a stage's first block)."""
    shapes = []
    h, w = -(-height // 4), -(-width // 4)  # after the stem (stride 2 conv + stride 2 max-pool)
    for stage, planes in enumerate((64, 128, 256, 512)):
        stride = 1 if stage == 0 else 2
        shapes.append((planes, h, w, stride))
        if stride == 2:
            h, w = -(-h // 2), -(-w // 2)
            shapes.append((planes, h, w, 1))
    return shapes


def bench_op(channels, h, w, stride, batch, device='cpu', reps=5, aw_kwargs=None):
    torch.manual_seed(0)
    stock = nn.Conv2d(channels, channels, 3, stride, 1, bias=False).to(device)
    aw = AWConv2d.from_conv(stock, **(aw_kwargs or {})).to(device)
    with torch.no_grad():  # a trained-looking, non-identity attention
        for p in aw.attention.parameters():
            p.normal_(0, ATTENTION_STD)
    x = torch.randn(batch, channels, h, w, device=device)
    xg = x.clone().requires_grad_(True)

    def forward(m):
        def run():
            with torch.no_grad():
                m(x)
        return run

    def forward_backward(m):
        def run():
            m.zero_grad(set_to_none=True)
            m(xg).sum().backward()
        return run

    fwd = time_pair(forward(stock), forward(aw), reps=reps, device=device)
    fb = time_pair(forward_backward(stock), forward_backward(aw), reps=reps, device=device)
    return dict(channels=channels, input=[h, w], stride=stride, batch=batch,
                forward=fwd, forward_ratio=ratio(fwd), forward_backward=fb,
                forward_backward_ratio=ratio(fb))
