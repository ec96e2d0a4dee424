"""A cut run resumes (docs/evidence_protocol.md section 5.1): under protocol v3 every run, the
detector's too, checkpoints at every validation; a run killed after a checkpoint is resumed from
it by the next call of the harness (same config text), and ends as the uncut run does: the same
losses after the checkpoint, the same validation curve and final metrics.

The kill is tests/fault_injection_hook.py's, SIGKILL inside the forward pass of a chosen
iteration, armed by the environment (not part of the config text, so both runs share their key).
The classifier is the cheap study to cut: the resume is the harness's, the same for both studies;
that the detector's runs checkpoint at every validation is test_protocol_v3.py's, and that a
resumed tools/train.py run equals an uncut one is test_crash_safety.py's.
"""
import os

import pytest

from experiments.classification.study import ClassificationStudy
from experiments.harness.compare import parse_args
from experiments.harness.runs import run_one
from fault_injection_hook import TESTS_DIR, read_losses

# 10 iterations, validation and a checkpoint every 5; the kill fires in the backbone's forward
# while ``runner.iter + 1`` is the iteration, so never in the validation of the iteration before
KILL_AT, CHECKPOINT = 8, 'iter_5.pth'


def _setup(study, out):
    args = parse_args(study, ['--quick', '--seeds', '900', '--jobs', '2', '--out', str(out)])
    base = study.base_config(args)
    base.custom_imports.imports = list(base.custom_imports.imports) + ['fault_injection_hook']
    base.custom_hooks = list(base.get('custom_hooks', [])) + [dict(type='FaultInjectionHook')]
    return args, base


@pytest.mark.slow
def test_a_cut_run_resumes_from_its_last_checkpoint_and_ends_as_an_uncut_one(tmp_path,
                                                                              monkeypatch):
    study, messages, checkpoint = ClassificationStudy(), [], CHECKPOINT
    monkeypatch.setenv('PYTHONPATH', os.pathsep.join(
        filter(None, [TESTS_DIR, os.environ.get('PYTHONPATH')])))

    def run(out, kill=''):
        monkeypatch.setenv('AW_KILL_AT', kill)
        args, base = _setup(study, out)
        return run_one(study, base, 'aw', 900, args, messages.append)

    uncut = run(tmp_path / 'uncut')
    assert 'error' not in uncut and not uncut['resumed']
    cut = run(tmp_path / 'cut', f'forward:{KILL_AT}')
    assert cut['error'] == 'exit -9'  # SIGKILL, after the checkpoint
    run_dir = tmp_path / 'cut' / 'runs' / 'aw' / 'seed900'
    assert (run_dir / 'last_checkpoint').read_text().strip().endswith(checkpoint)
    resumed = run(tmp_path / 'cut')
    assert messages[-2].startswith('aw seed 900: resuming (')
    assert resumed['resumed'] and resumed['resumed_from'] == checkpoint
    assert resumed['iters'] == uncut['iters']

    before = read_losses(str(tmp_path / 'uncut' / 'runs' / 'aw' / 'seed900'))
    after = read_losses(str(run_dir))
    assert sorted(after) == sorted(before)  # the resumed attempt re-ran what the kill cut
    for iteration in range(int(checkpoint[5:-4]) + 1, uncut['iters'] + 1):
        assert after[iteration] == pytest.approx(before[iteration], rel=1e-5, abs=1e-6)
    assert [step for step, _ in resumed['curve']] == [step for step, _ in uncut['curve']]
    for (_, got), (_, want) in zip(resumed['curve'], uncut['curve']):
        assert got == pytest.approx(want, rel=1e-5, abs=1e-6)
    assert resumed['metrics'] == pytest.approx(uncut['metrics'], rel=1e-5, abs=1e-6)
