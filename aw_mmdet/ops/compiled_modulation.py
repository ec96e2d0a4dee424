"""W * A_n as torch.compile'd kernels: AWConv2d(modulation='compiled').

Eager PyTorch runs the modulation as separate kernels (broadcast add, sigmoid, multiplies and, in
backward, their gradients and three reductions): about a dozen passes over the N x D x C/g x Kh x Kw
modulated weights. In ResNet's last stages those tensors are as large as the activations, so these
passes, not the convolution, are most of AW's extra cost. Compiled, the forward is one fused pass and
the backward a few (AOTAutograd recomputes the cheap sigmoid instead of saving it).

Opt-in: compiling needs a C++ compiler (CPU) or Triton (CUDA) and takes seconds per process for the
first shapes (then cached on disk by torch). Kernels are static-shape, one per (weight shape, batch
size, grad mode): dynamic-shape kernels measured barely faster than eager here (the 3x3 inner loop
stops vectorizing), so a ResNet compiles one graph per distinct conv width and batch size.
"""
import torch

MODULATIONS = ('eager', 'compiled')


def _factorized(weight, out_logits, in_logits):
    return torch.sigmoid(out_logits.unsqueeze(2) + in_logits.unsqueeze(1)) * (2 * weight)


def _dense(weight, logits):
    return torch.sigmoid(logits) * (2 * weight)


#: Static graphs per function allowed before torch falls back to eager (its default, 8, is less
#: than a ResNet's widths x batch sizes x train/inference). Raised only around these calls.
RECOMPILE_LIMIT = 64

_COMPILED = {}


def _compiled(fn):
    if fn not in _COMPILED:
        # not fullgraph: past the recompile limit a new variant runs eagerly (torch warns)
        _COMPILED[fn] = torch.compile(fn, dynamic=False)
    return _COMPILED[fn]


def _run(fn, *args):
    try:
        with torch._dynamo.config.patch(recompile_limit=RECOMPILE_LIMIT):
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
