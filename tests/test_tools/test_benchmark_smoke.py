"""tools/benchmark.py --quick runs end to end and writes its table and JSON (no timing asserts)."""
import json

import pytest

from helpers import run_tool


@pytest.mark.slow
def test_quick_benchmark_writes_markdown_and_json(tmp_path):
    run_tool('benchmark.py', '--quick', '--out', tmp_path, '--reps', '1', '--skip', 'memory',
             timeout=1200)
    report = json.load(open(tmp_path / 'benchmark.json'))
    assert len(report['op']) == 7
    assert report['detector']['inference_ratio'] > 0 and report['detector']['train_step_ratio'] > 0
    assert report['size']['aw']['params'] > report['size']['stock']['params']
    size = report['size']
    assert size['aw']['backbone_neck_flops'] > size['stock']['backbone_neck_flops']
    md = (tmp_path / 'benchmark.md').read_text()
    assert 'AW / stock' in md and 'fwd+bwd AW/stock' in md
