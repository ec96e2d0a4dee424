"""tools/benchmark.py --quick runs end to end and writes its table and JSON (no timing asserts),
with and without --peers."""
import json

import pytest

from experiments.benchmark.peers import OP_PEERS
from helpers import run_tool, timm_usable

DETECTOR_PEERS = ('stock', 'aw', 'dcnv2', 'se', 'cbam', 'aw_se')


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
    small = report['small']
    assert [row['name'] for row in small] == ['demo', 'r50_224']
    assert all(row['ratio'] > 0 for row in small)
    kinds = small[0]['breakdown']['aw']
    assert 'elementwise and reductions' in kinds and sum(kinds.values()) > 0
    md = (tmp_path / 'benchmark.md').read_text()
    assert 'AW / stock' in md and 'fwd+bwd AW/stock' in md
    assert 'Small maps: training step, AW vs stock' in md and 'Where the time goes' in md



@pytest.mark.slow
def test_quick_peers_benchmark_has_every_peer(tmp_path):
    run_tool('benchmark.py', '--quick', '--peers', '--out', tmp_path, '--reps', '1',
             timeout=1800)
    report = json.load(open(tmp_path / 'peers.json'))
    assert not (tmp_path / 'benchmark.json').exists()  # a --peers run leaves that table alone

    assert len(report['peers_op']) == 14  # 7 ResNet-101 3x3 shapes at each of 2 input sizes
    for row in report['peers_op']:
        assert tuple(row['peers']) == OP_PEERS
        for name, entry in row['peers'].items():
            if 'skipped' in entry:  # only the optional timm peer may be missing, and says why
                assert name == 'condconv4' and not timm_usable()
                assert entry['skipped'].startswith('timm.layers.CondConv2d does not import')
                continue
            assert entry['forward_ratio'] > 0 and entry['forward_backward_ratio'] > 0
            assert entry['forward_peak_mib'] >= 0 and entry['forward_backward_peak_mib'] > 0
            assert entry['forward_backward_memory_ratio'] > 0
        assert row['peers']['conv']['forward_ratio'] == 1.0

    detector = report['peers_detector']['peers']
    assert tuple(detector) == DETECTOR_PEERS
    for name, entry in detector.items():
        for key in ('inference_ratio', 'train_step_ratio', 'inference_memory_ratio',
                    'train_memory_ratio', 'params_ratio', 'flops_ratio'):
            assert entry[key] > 0, (name, key)
    for name in ('aw', 'dcnv2', 'se', 'cbam', 'aw_se'):
        assert detector[name]['params'] > detector['stock']['params'], name
    assert detector['aw']['aw_elementwise_flops'] > 0
    # mmengine cannot count mmcv's deformable conv: the report must say so, not hide it
    assert detector['dcnv2']['untraced_ops']
    assert not detector['stock']['untraced_ops']

    md = (tmp_path / 'peers.md').read_text()
    assert '## Detector' in md and '## Op' in md and 'undercount' in md
    assert all(name in md for name in OP_PEERS + DETECTOR_PEERS)
