"""tools/train.py under torchrun (2 CPU processes, gloo): both ranks finish, one checkpoint is
written, and the parameters are equal across ranks."""
import json
import os
import subprocess
import sys

import pytest

from helpers import DEMO_CONFIG, ROOT, TESTS_DIR, make_tiny_data, tiny_options


@pytest.mark.slow
def test_two_process_gloo_training_keeps_ranks_in_sync(tmp_path):
    data, work = tmp_path / 'data', tmp_path / 'work'
    make_tiny_data(data, num_train=8)
    cfg = tmp_path / 'dist_cfg.py'
    cfg.write_text(f"_base_ = '{DEMO_CONFIG}'\n"
                   "custom_imports = dict(imports=['aw_mmdet', 'param_checksum_hook'], "
                   "allow_failed_imports=False)\n"
                   "custom_hooks = [dict(type='ParamChecksumHook')]\n")
    opts = tiny_options(data, max_iters=3, interval=3)
    cmd = [sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node=2',
           '--master_port=29517', os.path.join(ROOT, 'tools', 'train.py'), str(cfg),
           '--launcher', 'pytorch', '--work-dir', str(work), '--cfg-options', *opts]
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONPATH=os.pathsep.join(
        filter(None, [TESTS_DIR, os.environ.get('PYTHONPATH')])))
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    assert sorted(p.name for p in work.glob('*.pth')) == ['iter_3.pth']
    sums = [json.load(open(work / f'param_checksum_rank{r}.json')) for r in (0, 1)]
    assert sums[0]['num_aw_tensors'] > 0 and sums[0]['iter'] == sums[1]['iter'] == 3
    assert sums[0]['aw'] == sums[1]['aw'] and sums[0]['all'] == sums[1]['all']
