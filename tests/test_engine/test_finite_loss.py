"""A NaN loss stops training at once, naming the iteration and the loss terms, and the last
checkpoint (written before the NaN) stays intact and finite.

The NaN comes from an absurd learning rate (1e10): the first step is finite, the weights it makes
overflow the next forward pass. Which iteration and which terms go non-finite first is read,
independently of the hook, from tests/fault_injection_hook.py's record of every iteration's losses.
"""
import math
import os
import os.path as osp

import torch

from fault_injection_hook import SMALL_MODEL, injection_env, read_losses, write_config
from helpers import DEMO_CONFIG, make_tiny_data, run_tool, tiny_options


def test_nan_loss_stops_training_naming_iteration_and_loss(tmp_path):
    from aw_mmdet.checkpoint import load_checkpoint_file

    data, work = tmp_path / 'data', tmp_path / 'work'
    make_tiny_data(data)
    cfg = write_config(tmp_path / 'nan_cfg.py', DEMO_CONFIG)
    proc = run_tool('train.py', cfg, '--work-dir', work, '--cfg-options',
                    *tiny_options(data, max_iters=6), *SMALL_MODEL,
                    'optim_wrapper.optimizer.lr=1e10', env=injection_env(), check=False)
    assert proc.returncode != 0

    losses = read_losses(work)
    first_bad = min(it for it, terms in losses.items()
                    if not all(math.isfinite(v) for k, v in terms.items() if 'loss' in k))
    bad_names = [k for k, v in losses[first_bad].items() if 'loss' in k and not math.isfinite(v)]
    assert first_bad >= 2 and max(losses) == first_bad  # it stopped at the first NaN iteration

    error = proc.stderr.strip().splitlines()[-1]
    assert error.startswith('error: non-finite loss at iteration '), error
    assert 'Traceback' not in proc.stderr
    assert f'non-finite loss at iteration {first_bad} ' in error
    for name in bad_names:
        assert f'{name}=' in error, (name, error)

    last_good = work / f'iter_{first_bad - 1}.pth'
    assert not (work / f'iter_{first_bad}.pth').exists()
    assert (work / 'last_checkpoint').read_text() == str(last_good)
    state = load_checkpoint_file(last_good, map_location='cpu')['state_dict']
    assert all(torch.isfinite(v).all() for v in state.values() if v.is_floating_point())
    assert not [n for n in os.listdir(work) if n.startswith('.') and osp.isfile(work / n)]
