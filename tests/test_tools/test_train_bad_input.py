"""tools/train.py's errors on bad input. That --resume continues a run, and ends as the uncut run
does, is test_crash_safety.py's (tests/test_engine)."""

from helpers import DEMO_CONFIG, run_tool, tiny_options


def test_missing_dataset_gives_one_clear_error(tmp_path):
    proc = run_tool('train.py', DEMO_CONFIG, '--work-dir', tmp_path / 'w', '--cfg-options',
                    *tiny_options(tmp_path / 'no_data'), check=False)
    assert proc.returncode != 0
    assert 'annotation file not found' in proc.stderr
    assert 'instances_train.json' in proc.stderr and 'README.md' in proc.stderr
    assert 'Traceback' not in proc.stderr
