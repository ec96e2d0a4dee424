"""W * A_n as torch.compile'd kernels: AWConv2d(modulation='compiled').

Eager PyTorch runs the modulation as separate kernels (broadcast add, sigmoid, multiplies and, in
backward, their gradients and three reductions): about a dozen passes over the N x D x C/g x Kh x Kw
modulated weights. In ResNet's last stages those tensors are as large as the activations, so these
passes, not the convolution, are most of AW's extra cost. Compiled, the forward is one fused pass and
the backward a few (AOTAutograd recomputes the cheap sigmoid instead of saving it).

Opt-in: compiling needs a C++ compiler (CPU) or Triton (CUDA) and takes seconds per process for the
first shapes (then cached on disk by torch). The first shape compiles static, later shapes share one
dynamic-shape kernel, so a network with many conv shapes compiles a handful of times, not per layer.
"""
import torch

MODULATIONS = ('eager', 'compiled')


def _factorized(weight, out_logits, in_logits):
    return torch.sigmoid(out_logits.unsqueeze(2) + in_logits.unsqueeze(1)) * (2 * weight)


def _dense(weight, logits):
    return torch.sigmoid(logits) * (2 * weight)


_COMPILED = {}


def _compiled(fn):
    if fn not in _COMPILED:
        # not fullgraph: past torch's recompile limit (many dtypes / grad modes / batch-1 shapes
        # in one process) a new variant runs eagerly with torch's warning instead of failing
        _COMPILED[fn] = torch.compile(fn)
    return _COMPILED[fn]


def _run(fn, *args):
    try:
        return _compiled(fn)(*args)
    except torch._dynamo.exc.BackendCompilerFailed as err:
        raise RuntimeError(
            "AWConv2d(modulation='compiled'): torch.compile could not build the fused modulation "
            f"kernel on {args[0].device.type} ({type(err.inner_exception).__name__}: "
            f"{err.inner_exception}); it needs a C++ compiler on CPU or Triton on CUDA. "
            "Use modulation='eager' (aw=dict(modulation='eager') in an AWResNet config).") from err


def modulate_factorized_compiled(weight, out_logits, in_logits):
    """Same values and gradients as weight_modulation.modulate_factorized, fused."""
    return _run(_factorized, weight, out_logits, in_logits)


def modulate_dense_compiled(weight, logits):
    """Same values and gradients as weight_modulation.modulate_dense, fused."""
    return _run(_dense, weight, logits)
