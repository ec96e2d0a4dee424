"""A demo detector trained for one iteration on tiny data, shared by the tool tests that need a
real checkpoint from tools/train.py (tools/infer.py, the documented usage commands)."""
import pytest

from helpers import DEMO_CONFIG, make_tiny_data, run_tool, tiny_options


@pytest.fixture(scope='session')
def tiny_demo_run(tmp_path_factory):
    """(data dir, checkpoint) after one training iteration of the demo config (no validation)."""
    root = tmp_path_factory.mktemp('tiny_demo_run')
    data, work = root / 'data', root / 'work'
    make_tiny_data(data, num_train=2, num_val=2)
    run_tool('train.py', DEMO_CONFIG, '--work-dir', work, '--cfg-options',
             *tiny_options(data, max_iters=1), 'train_dataloader.batch_size=1',
             'train_cfg.val_begin=2')
    return data, work / 'iter_1.pth'
