"""The mmengine Runner key ``efficient_conv_bn_eval`` on an AW detector, through tools/train.py."""
import pytest

from helpers import DEMO_CONFIG, make_tiny_data, run_tool, tiny_options


@pytest.mark.slow
def test_train_tool_with_runner_key_efficient_conv_bn_eval(tmp_path):
    """The Runner key itself, as a user sets it: start-up traces the AW backbone (it used to fail
    on shape-dependent branches), trains and validates with fused conv+BN."""
    data, work = tmp_path / 'data', tmp_path / 'work'
    make_tiny_data(data)
    proc = run_tool('train.py', DEMO_CONFIG, '--work-dir', work, '--cfg-options',
                    *tiny_options(data, 2), "efficient_conv_bn_eval=['backbone']")
    log = proc.stdout + proc.stderr
    assert 'Enabling the "efficient_conv_bn_eval" feature' in log
    assert (work / 'iter_2.pth').is_file() and 'coco/bbox_mAP' in log
