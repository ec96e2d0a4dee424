"""Finding a model's AW convs and recording their attention maps while the model runs."""
import contextlib

import torch

from .aw_conv import AWConv2d


def aw_convs(model: torch.nn.Module) -> dict:
    """{qualified name: AWConv2d} of every AW conv in ``model``, in module order."""
    return {name: m for name, m in model.named_modules() if isinstance(m, AWConv2d)}


@contextlib.contextmanager
def recording_attention(model: torch.nn.Module, on_attention, names=None):
    """Within the block, each forward of an AW conv calls ``on_attention(name, A)``.

    A (N, D, C/g, Kh, Kw) is recomputed from the conv's input with no gradient: AWConv2d fuses
    A into its weights and never materialises it, so hooking the attention module would not see
    it.

    Args:
        model (nn.Module): Any module holding AW convs.
        on_attention (callable): Called as ``on_attention(name, A)``.
        names (Iterable[str], optional): Only these convs (names as in ``aw_convs``).
            Defaults to all.
    """
    convs = aw_convs(model)
    chosen = list(convs) if names is None else list(names)
    missing = sorted(set(chosen) - set(convs))
    if missing:
        raise ValueError(f'recording_attention: no AW conv named {missing} in the model')

    def hook(conv, args, name):
        with torch.no_grad():
            on_attention(name, conv.attention(args[0]))

    handles = [convs[name].register_forward_pre_hook(
        lambda conv, args, name=name: hook(conv, args, name)) for name in chosen]
    try:
        yield
    finally:
        for handle in handles:
            handle.remove()
