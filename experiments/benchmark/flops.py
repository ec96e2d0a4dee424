"""Size of a benchmark entry: parameters, and FLOPs from mmengine's FlopAnalyzer plus AW's own.

mmengine's trace counts convs/matmuls (1 multiply-add = 1 FLOP) and pooling, not elementwise ops,
so AWConv2d's gate (add, sigmoid) and weight modulation (multiply) would be silently dropped;
``count_flops`` asks each AWConv2d for them (``extra_flops``, docs/aw_conv.md). Custom autograd ops
(mmcv's deformable convs, ``prim::PythonOp``) are not counted either; they are returned as
``untraced_ops`` so a report can say which work is missing.
"""
import torch
from mmengine.analysis import FlopAnalyzer

from aw_mmdet import AWConv2d


def count_flops(model, inputs):
    """Total FLOPs of ``model(*inputs)``: mmengine's trace plus AWConv2d's elementwise work.

    Args:
        model (nn.Module): Traced once, in its current mode.
        inputs (tuple): Its positional inputs.

    Returns:
        dict: total, traced, aw_elementwise (ints) and untraced_ops (op name -> calls).
    """
    shapes = {}
    hooks = [m.register_forward_pre_hook(
        lambda mod, args, name=name: shapes.setdefault(name, []).append(tuple(args[0].shape)))
        for name, m in model.named_modules() if isinstance(m, AWConv2d)]
    try:
        analyzer = FlopAnalyzer(model, inputs)
        analyzer.unsupported_ops_warnings(False).uncalled_modules_warnings(False)
        traced = analyzer.total()
        untraced = {op: n for op, n in analyzer.unsupported_ops().items()
                    if op.startswith('prim::PythonOp')}
    finally:
        for hk in hooks:
            hk.remove()
    modules = dict(model.named_modules())
    elementwise = 0
    for name, calls in shapes.items():
        for n, _c, h, w in calls[:1]:  # the trace runs forward once; count the first call
            extra = modules[name].extra_flops((h, w), batch=n)
            elementwise += extra['gate'] + extra['modulation']
    return dict(total=int(traced) + int(elementwise), traced=int(traced),
                aw_elementwise=int(elementwise), untraced_ops=untraced)


class Features(torch.nn.Module):
    """What the variants change: a detector's backbone + neck (heads are alike), else backbone."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        if hasattr(self.model, 'extract_feat'):
            return self.model.extract_feat(x)
        return self.model.backbone(x)


def model_size(model, data):
    """Parameters of ``model`` and FLOPs of its ``Features`` for the first input of ``data``.

    Args:
        model (BaseModel): A benchmark entry's model (models.build); it is put in eval mode.
        data (dict): A batch in its data preprocessor's format.

    Returns:
        dict: params, flops and aw_elementwise (as :func:`count_flops`), and untraced_ops (name ->
        calls, e.g. mmcv's deformable conv), whose work the FLOPs omit.
    """
    model.eval()
    with torch.no_grad():
        inputs = model.data_preprocessor(data, False)['inputs'][:1]
    flops = count_flops(Features(model), (inputs,))
    return dict(params=sum(p.numel() for p in model.parameters()), flops=flops['total'],
                aw_elementwise=flops['aw_elementwise'], untraced_ops=flops['untraced_ops'])
