"""Runs shared by the tool tests: a demo detector trained for one iteration on tiny data (for the
tests that need a real checkpoint from tools/train.py: tools/infer.py, the documented usage
commands), and one quick detection and one quick classification comparison (each for its
comparison tool's test and protocol v3's)."""
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


@pytest.fixture(scope='session')
def quick_detection_final(tmp_path_factory):
    """tools/compare.py --quick: stock and aw x 2 seeds (paired statistics) on tiny data, the test
    split read and the aw runs ablated.
    Returns (out dir, the process, its arguments without --jobs)."""
    root = tmp_path_factory.mktemp('quick_detection_final')
    data, out = root / 'data', root / 'out'
    make_tiny_data(data, num_train=4, num_val=2, num_test=3)
    argv = ['--quick', '--variants', 'stock', 'aw', '--seeds', 900, 901, '--out', out,
            '--data-root', data]
    return out, run_tool('compare.py', *argv, '--jobs', 2, timeout=900), argv


@pytest.fixture(scope='session')
def quick_classification_final(tmp_path_factory):
    """tools/compare_classification.py --quick: stock and aw x 1 seed, the test
    split read and the aw run ablated. Returns (out dir, the process)."""
    out = tmp_path_factory.mktemp('quick_classification_final') / 'out'
    # --jobs 2: both runs at once, one thread each (two-thread OpenMP crawls on a busy machine)
    return out, run_tool('compare_classification.py', '--quick', '--seeds', 900, '--variants',
                         'stock', 'aw', '--jobs', 2, '--out', out, timeout=600)
