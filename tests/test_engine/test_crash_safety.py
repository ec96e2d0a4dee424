"""Crash safety: SIGKILL a training run mid-iteration and mid-save, --resume, finish; every
checkpoint on disk loads, and the result equals an uninterrupted run's (same seed, deterministic).

The kills are deterministic (tests/fault_injection_hook.py): while half of a checkpoint's bytes
are on disk, and inside the forward pass of the next iteration.
``max_keep_ckpts=1`` makes the stock CheckpointHook's failure visible: it deletes the only
checkpoint before writing the next, so a kill mid-save would leave nothing to resume from.
"""
import glob
import importlib.util
import os
import os.path as osp
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import torch

from fault_injection_hook import SMALL_MODEL, injection_env, read_losses, write_config
from helpers import (
    DEMO_CONFIG,
    ROOT,
    load_config,
    make_tiny_data,
    project_configs,
    run_tool,
    tiny_settings,
)

MAX_ITERS = 3
# (AW_KILL_AT, the checkpoint that last_checkpoint names after the kill)
CRASHES = [('write-half:iter_2.pth', 'iter_1.pth'),
           ('forward:3', 'iter_2.pth')]
RTOL, ATOL = 1e-5, 1e-6  # losses and final state vs the uninterrupted run


def _atomic_files():
    """aw_mmdet/utils/atomic_files.py by path: a child process needs it without importing torch."""
    path = osp.join(ROOT, 'aw_mmdet', 'utils', 'atomic_files.py')
    spec = importlib.util.spec_from_file_location('atomic_files', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


WRITER = r'''
import importlib.util, sys, time
spec = importlib.util.spec_from_file_location('atomic_files', sys.argv[1])
atomic_files = importlib.util.module_from_spec(spec)
spec.loader.exec_module(atomic_files)
target, stall = sys.argv[2], sys.argv[3] == 'stall'
data = b'new checkpoint ' * 200_000
partial = atomic_files.partial_path(target)
with open(partial, 'wb') as f:
    f.write(data[:len(data) // 2])
    f.flush()
    if stall:
        print(partial, flush=True)
        time.sleep(120)
    f.write(data[len(data) // 2:])
atomic_files.commit(partial, target)
'''


def test_killed_writer_leaves_the_old_file_intact(tmp_path):
    atomic_files = _atomic_files()
    target = tmp_path / 'iter_7.pth'
    target.write_bytes(b'old checkpoint')
    module_path = osp.join(ROOT, 'aw_mmdet', 'utils', 'atomic_files.py')
    cmd = [sys.executable, '-c', WRITER, module_path, str(target)]
    child = subprocess.Popen(cmd + ['stall'], stdout=subprocess.PIPE, text=True)
    try:
        partial = child.stdout.readline().strip()
        assert osp.getsize(partial) == len(b'new checkpoint ' * 200_000) // 2
        assert osp.dirname(partial) == str(tmp_path)  # same directory: the rename is atomic
    finally:
        child.kill()
        child.wait()
    assert child.returncode == -signal.SIGKILL
    assert target.read_bytes() == b'old checkpoint'
    assert sorted(p.name for p in tmp_path.glob('*.pth')) == ['iter_7.pth']  # partial is hidden

    assert atomic_files.remove_partials(str(tmp_path)) == [osp.basename(partial)]
    subprocess.run(cmd + ['finish'], check=True, timeout=60)
    assert target.read_bytes() == b'new checkpoint ' * 200_000
    assert sorted(os.listdir(tmp_path)) == ['iter_7.pth']


def test_every_config_enables_crash_safety():
    configs = project_configs()
    assert len(configs) >= 7
    for path in configs:
        hooks = load_config(path).default_hooks
        assert hooks.checkpoint.type == 'AtomicCheckpointHook', path
        assert hooks.finite_loss.type == 'FiniteLossHook', path
        assert hooks.rng_state.type == 'RngStateHook', path


def _config(tmp_path):
    return write_config(
        tmp_path / 'crash_cfg.py', DEMO_CONFIG,
        "default_hooks = dict(checkpoint=dict(backend_args=dict(backend='kill_on_write')))\n"
        "randomness = dict(seed=0, deterministic=True)\n")


def _train(cfg, data, work, kill_at=None, resume=False):
    settings = tiny_settings(data, MAX_ITERS)
    settings['default_hooks.checkpoint.max_keep_ckpts'] = 1
    env = injection_env(kill_at or '')
    args = [cfg, '--work-dir', work] + (['--resume'] if resume else [])
    options = [f'{k}={v}' for k, v in settings.items()] + SMALL_MODEL
    return run_tool('train.py', *args, '--cfg-options', *options, env=env, check=kill_at is None)


def _load(path):
    from aw_mmdet.checkpoint import load_checkpoint_file
    return load_checkpoint_file(path, map_location='cpu')


def _assert_all_checkpoints_load(work):
    paths = sorted(glob.glob(osp.join(work, '*.pth')))
    for path in paths:
        _load(path)
    return [osp.basename(p) for p in paths]


def _assert_close(actual, expected, where):
    if isinstance(expected, dict):
        assert actual.keys() == expected.keys(), where
        for key in expected:
            _assert_close(actual[key], expected[key], f'{where}.{key}')
    elif isinstance(expected, (list, tuple)):
        assert len(actual) == len(expected), where
        for i, (a, e) in enumerate(zip(actual, expected)):
            _assert_close(a, e, f'{where}[{i}]')
    elif isinstance(expected, (torch.Tensor, np.ndarray)):
        actual, expected = torch.as_tensor(actual), torch.as_tensor(expected)
        assert torch.allclose(actual.double(), expected.double(), rtol=RTOL, atol=ATOL), where
    elif isinstance(expected, float):
        assert actual == pytest.approx(expected, rel=RTOL, abs=ATOL), where
    else:
        assert actual == expected, where


def _crash_then_resume(cfg, data, work, atomic_files):
    """Kill the run at each of CRASHES (resuming from the second on), then resume it to the end;
    every checkpoint left on disk loads after each kill."""
    for i, (kill_at, survivor) in enumerate(CRASHES):
        proc = _train(cfg, data, work, kill_at=kill_at, resume=i > 0)
        assert proc.returncode == -signal.SIGKILL, (kill_at, proc.stderr[-3000:])
        assert _assert_all_checkpoints_load(work) == [survivor], kill_at
        assert (work / 'last_checkpoint').read_text() == str(work / survivor), kill_at
        partials = [n for n in os.listdir(work) if atomic_files.is_partial_name(n)]
        assert bool(partials) == kill_at.startswith('write'), (kill_at, partials)

    proc = _train(cfg, data, work, resume=True)
    assert 'resumed epoch: 0, iter: 2' in proc.stdout + proc.stderr
    assert _assert_all_checkpoints_load(work) == [f'iter_{MAX_ITERS}.pth']
    assert not [n for n in os.listdir(work) if atomic_files.is_partial_name(n)]


@pytest.mark.slow
def test_sigkill_mid_iteration_and_mid_save_then_resume_equals_uninterrupted_run(tmp_path):
    atomic_files = _atomic_files()
    data, cfg = tmp_path / 'data', _config(tmp_path)
    make_tiny_data(data, num_train=2)  # one batch per pass: every fetch re-creates the iterator
    ref, work = tmp_path / 'reference', tmp_path / 'crashed'
    with ThreadPoolExecutor(1) as pool:  # the uninterrupted run beside the crashed one
        reference = pool.submit(_train, cfg, data, ref)
        _crash_then_resume(cfg, data, work, atomic_files)
        reference.result()

    losses, ref_losses = read_losses(work), read_losses(ref)
    assert sorted(losses) == sorted(ref_losses) == list(range(1, MAX_ITERS + 1))
    for it in ref_losses:
        for name, value in ref_losses[it].items():
            assert np.isclose(losses[it][name], value, rtol=RTOL, atol=ATOL), (it, name)

    final, expected = _load(work / f'iter_{MAX_ITERS}.pth'), _load(ref / f'iter_{MAX_ITERS}.pth')
    assert final['meta']['iter'] == expected['meta']['iter'] == MAX_ITERS
    for key in ('state_dict', 'optimizer', 'param_schedulers', 'rng_state'):
        _assert_close(final[key], expected[key], key)
