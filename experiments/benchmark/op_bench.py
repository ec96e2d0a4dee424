"""Op level: nn.Conv2d vs AWConv2d (and vs AW's peers) at every distinct 3x3 conv shape of
ResNet-101."""
import torch
import torch.nn as nn

from aw_mmdet.ops import AWConv2d

from .peers import BASELINE, PeerUnavailable, build_peer
from .shared_weights import ATTENTION_STD
from .timing import ratio, ratios_to, time_many, time_pair


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


def forward_fn(module, x):
    """One inference call (no autograd graph)."""
    def run():
        with torch.no_grad():
            module(x)
    return run


def forward_backward_fn(module, x):
    """One training call: forward, backward of the output sum (weight and input gradients)."""
    def run():
        module.zero_grad(set_to_none=True)
        module(x).sum().backward()
    return run


def bench_op(channels, h, w, stride, batch, device='cpu', reps=5, aw_kwargs=None):
    torch.manual_seed(0)
    stock = nn.Conv2d(channels, channels, 3, stride, 1, bias=False).to(device)
    aw = AWConv2d.from_conv(stock, **(aw_kwargs or {})).to(device)
    with torch.no_grad():  # a trained-looking, non-identity attention
        for p in aw.attention.parameters():
            p.normal_(0, ATTENTION_STD)
    x = torch.randn(batch, channels, h, w, device=device)
    xg = x.clone().requires_grad_(True)
    fwd = time_pair(forward_fn(stock, x), forward_fn(aw, x), reps=reps, device=device)
    fb = time_pair(forward_backward_fn(stock, xg), forward_backward_fn(aw, xg), reps=reps,
                   device=device)
    return dict(channels=channels, input=[h, w], stride=stride, batch=batch,
                forward=fwd, forward_ratio=ratio(fwd), forward_backward=fb,
                forward_backward_ratio=ratio(fb))


def bench_op_peers(channels, h, w, stride, batch, peers, device='cpu', reps=5):
    """Forward and forward+backward time of every peer at one shape, all in one interleaved loop
    with the plain conv, as ratios to it.

    Args:
        channels, h, w, stride (int): The 3x3 conv's channels, input size and stride.
        batch (int): Batch size.
        peers (Sequence[str]): Names from ``peers.OP_PEERS``; the plain conv is always timed.
        device (str): Defaults to 'cpu'.
        reps (int): Timed repetitions per peer. Defaults to 5.

    Returns:
        dict: the shape, and ``peers``: name -> {forward, forward_backward (time stats in s),
        forward_ratio, forward_backward_ratio} or {skipped: reason}.
    """
    modules, rows = {}, {}
    for name in dict.fromkeys((BASELINE, *peers)):
        try:
            modules[name] = build_peer(name, channels, stride, device)
        except PeerUnavailable as why:
            rows[name] = dict(skipped=str(why))
    torch.manual_seed(0)
    x = torch.randn(batch, channels, h, w, device=device)
    xg = x.clone().requires_grad_(True)
    fwd = time_many({n: forward_fn(m, x) for n, m in modules.items()}, reps=reps, device=device)
    fb = time_many({n: forward_backward_fn(m, xg) for n, m in modules.items()}, reps=reps,
                   device=device)
    fwd_ratio, fb_ratio = ratios_to(fwd, BASELINE), ratios_to(fb, BASELINE)
    for name in modules:
        rows[name] = dict(forward=fwd[name], forward_ratio=fwd_ratio[name],
                          forward_backward=fb[name], forward_backward_ratio=fb_ratio[name])
    return dict(channels=channels, input=[h, w], stride=stride, batch=batch,
                peers={name: rows[name] for name in dict.fromkeys((BASELINE, *peers))})
