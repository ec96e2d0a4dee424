"""Size of an entry: FlopAnalyzer skips elementwise ops, so AWConv2d's ``extra_flops`` is added;
custom autograd ops (mmcv's DCN) go uncounted and are returned as ``untraced_ops``."""
import torch
from mmengine.analysis import FlopAnalyzer

from aw_mmdet import AWConv2d


def count_flops(model, inputs):
    """Total FLOPs of ``model(*inputs)``: mmengine's trace plus AWConv2d's elementwise work.

    Args:
        model (nn.Module): Traced once, in its current mode.
        inputs (tuple): Its positional inputs.
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
    """
    model.eval()
    with torch.no_grad():
        inputs = model.data_preprocessor(data, False)['inputs'][:1]
    flops = count_flops(Features(model), (inputs,))
    return dict(params=sum(p.numel() for p in model.parameters()), flops=flops['total'],
                aw_elementwise=flops['aw_elementwise'], untraced_ops=flops['untraced_ops'])
