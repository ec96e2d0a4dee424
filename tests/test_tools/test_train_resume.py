"""tools/train.py on a generated dataset: 2 iterations, then --resume continues from iteration 2."""
import pytest
from mmengine.runner.checkpoint import _load_checkpoint

import aw_mmdet  # noqa: F401
from helpers import DEMO_CONFIG, make_tiny_data, run_tool, tiny_options


@pytest.mark.slow  # two training runs in subprocesses, one with validation: 31 s on 2 cores
def test_train_then_resume_continues_from_saved_iteration(tmp_path):
    data, work = tmp_path / 'data', tmp_path / 'work'
    make_tiny_data(data)
    run_tool('train.py', DEMO_CONFIG, '--work-dir', work, '--cfg-options', *tiny_options(data, 2))
    assert (work / 'iter_2.pth').is_file()
    assert (work / 'last_checkpoint').read_text().strip().endswith('iter_2.pth')

    proc = run_tool('train.py', DEMO_CONFIG, '--work-dir', work, '--resume',
                    '--cfg-options', *tiny_options(data, 4))
    log = proc.stdout + proc.stderr
    assert 'resumed epoch: 0, iter: 2' in log
    assert 'Iter(train) [3/4]' in log and 'Iter(train) [1/4]' not in log
    ckpt = _load_checkpoint(str(work / 'iter_4.pth'), map_location='cpu')
    assert ckpt['meta']['iter'] == 4
    assert 'optimizer' in ckpt and 'param_schedulers' in ckpt
    assert 'coco/bbox_mAP' in log


def test_missing_dataset_gives_one_clear_error(tmp_path):
    proc = run_tool('train.py', DEMO_CONFIG, '--work-dir', tmp_path / 'w', '--cfg-options',
                    *tiny_options(tmp_path / 'no_data'), check=False)
    assert proc.returncode != 0
    assert 'annotation file not found' in proc.stderr
    assert 'instances_train.json' in proc.stderr and 'README.md' in proc.stderr
    assert 'Traceback' not in proc.stderr
