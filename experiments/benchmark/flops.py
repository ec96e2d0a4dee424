"""FLOP counting for AW models with mmengine's FlopAnalyzer, plus AWConv2d's closed-form counts.

mmengine traces the model and counts convs/matmuls (1 multiply-add = 1 FLOP) and pooling, but not
elementwise ops. Inside AWConv2d that means the pooling and the two pointwise convs are counted by
the trace, while the gate (add, sigmoid) and the weight modulation (multiply) are elementwise and
would be silently dropped; ``count_flops`` asks each AWConv2d for them (``extra_flops``, the
formulas of docs/aw_conv.md), so AW models are reported right. Custom autograd ops (mmcv's
deformable convs, traced as ``prim::PythonOp``) are not counted by mmengine either; their calls
are returned as ``untraced_ops`` so a report can say which work is missing.
"""
from mmengine.analysis import FlopAnalyzer

from aw_mmdet.ops import AWConv2d


def count_flops(model, inputs):
    """Total FLOPs of ``model(*inputs)``: mmengine's trace plus AWConv2d's elementwise work."""
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
