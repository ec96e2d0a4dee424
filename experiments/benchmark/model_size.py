"""Parameters and backbone+FPN FLOPs of a detector (where AW and its peers live; the heads are
the same in all of them)."""
import torch

from .flops import count_flops


class Features(torch.nn.Module):
    """Backbone + FPN of a detector, as one module for the FLOP counter."""

    def __init__(self, detector):
        super().__init__()
        self.detector = detector

    def forward(self, x):
        return self.detector.extract_feat(x)


def detector_size(model, size):
    """Parameters and backbone+FPN FLOPs of one detector at one input size.

    Args:
        model (nn.Module): A detector (``build_detector``); it is put in eval mode.
        size (tuple[int, int]): Input (H, W), batch 1.

    Returns:
        dict: params, backbone_neck_flops (mmengine's trace plus AWConv2d's elementwise work),
        aw_elementwise_flops, and untraced_ops: the custom autograd ops the trace saw but could
        not count (name -> calls; e.g. mmcv's deformable conv), whose work the FLOPs omit.
    """
    model.eval()
    device = next(model.parameters()).device
    flops = count_flops(Features(model), (torch.zeros(1, 3, *size, device=device),))
    return dict(params=sum(p.numel() for p in model.parameters()),
                backbone_neck_flops=flops['total'], aw_elementwise_flops=flops['aw_elementwise'],
                untraced_ops=flops['untraced_ops'])
