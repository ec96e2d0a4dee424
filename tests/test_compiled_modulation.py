"""AWConv2d(modulation='compiled') against the independent per-sample reference: same outputs and
the same gradients for input, weight, bias and every attention parameter, across shapes (the
static first compile and the dynamic-shape recompile), batch sizes and both attention modes."""
import os
import subprocess
import sys

import pytest
import torch
from aw_reference import randomise_attention, reference_aw_conv

from aw_mmdet import AWConv2d
from aw_mmdet.models.backbones import AWResNet
from helpers import ROOT



@pytest.fixture(autouse=True)
def fresh_dynamo():
    """Each test compiles from scratch, so no variant falls back to eager past the recompile limit."""
    torch._dynamo.reset()
    yield
    torch._dynamo.reset()


def _ran_compiled(output):
    """True when the autograd graph of ``output`` holds the compiled modulation's node."""
    seen, todo = set(), [output.grad_fn]
    while todo:
        node = todo.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        if 'CompiledFunction' in type(node).__name__:
            return True
        todo.extend(n for n, _ in node.next_functions)
    return False


CASES = [
    # (in, out, kernel, stride, padding, groups, batch)
    (8, 6, 3, 1, 1, 1, 2),
    (8, 6, 3, 1, 1, 1, 1),
    (12, 8, 3, 2, 1, 2, 3),
    (6, 10, (1, 3), 1, (0, 1), 1, 2),
]


def _grads(conv, x, output):
    output.backward(torch.ones_like(output))
    grads = [x.grad] + [p.grad for p in conv.parameters()]
    x.grad = None
    conv.zero_grad(set_to_none=True)
    return grads


@pytest.mark.parametrize('mode', ['factorized', 'dense'])
def test_compiled_matches_per_sample_reference_with_gradients(mode):
    for cin, cout, k, s, p, g, n in CASES:
        gen = torch.Generator().manual_seed(cin * 100 + n)
        conv = AWConv2d(cin, cout, k, stride=s, padding=p, groups=g, reduction=2, min_hidden=3,
                        attention=mode, modulation='compiled').double()
        randomise_attention(conv, gen)
        x = torch.randn(n, cin, 9, 7, generator=gen, dtype=torch.float64, requires_grad=True)
        output = conv(x)
        assert _ran_compiled(output)
        compiled = _grads(conv, x, output)
        expected = _grads(conv, x, reference_aw_conv(conv, x))
        names = ['input'] + [name for name, _ in conv.named_parameters()]
        for name, got, want in zip(names, compiled, expected):
            torch.testing.assert_close(got, want, msg=lambda m: f'{name} {(cin, n)}: {m}')
        with torch.no_grad():  # inference compiles its own graph; same values
            torch.testing.assert_close(conv(x), reference_aw_conv(conv, x))


def test_compiled_backbone_equals_eager_backbone():
    torch.manual_seed(0)
    eager = AWResNet(depth=18, aw=dict(modulation='eager')).double()
    compiled = AWResNet(depth=18, aw=dict(modulation='compiled')).double()
    for conv in (m for m in eager.modules() if isinstance(m, AWConv2d)):
        randomise_attention(conv, scale=0.1)
    compiled.load_state_dict(eager.state_dict())
    assert {m.modulation for m in compiled.modules() if isinstance(m, AWConv2d)} == {'compiled'}
    x = torch.randn(2, 3, 64, 64, dtype=torch.float64)
    outs = [model(x) for model in (eager, compiled)]
    assert _ran_compiled(outs[1][-1]) and not _ran_compiled(outs[0][-1])
    for a, b in zip(*outs):
        torch.testing.assert_close(a, b)
    for model, out in zip((eager, compiled), outs):
        sum(o.sum() for o in out).backward()
    for (name, a), b in zip(eager.named_parameters(), compiled.parameters()):
        if a.grad is not None:
            torch.testing.assert_close(a.grad, b.grad,
                                       msg=lambda m, name=name: f'{name}: {m}')


def test_unknown_modulation_is_a_value_error_naming_it():
    with pytest.raises(ValueError, match="modulation must be one of .*got 'fused'"):
        AWConv2d(8, 8, 3, modulation='fused')


def test_missing_compiler_is_a_clear_error(tmp_path):
    """No C++ compiler (a real setup on some machines): one clear error naming the option."""
    code = ('import torch; from aw_mmdet import AWConv2d; '
            'AWConv2d(4, 4, 3, padding=1, modulation="compiled")(torch.randn(2, 4, 6, 6))')
    env = dict(os.environ, CXX=str(tmp_path / 'no-such-compiler'),
               TORCHINDUCTOR_CACHE_DIR=str(tmp_path / 'inductor'))
    proc = subprocess.run([sys.executable, '-c', code], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode != 0
    assert "AWConv2d(modulation='compiled'): torch.compile could not build" in proc.stderr
    assert "modulation='eager'" in proc.stderr
