"""tools/benchmark.py --quick runs end to end and writes its tables and JSON (no timing asserts):
one small case through every measure in the tests' own process, and every model kind and
variant of the two suites (slow)."""
import json

import pytest
import torch

from experiments.benchmark.cases import DETECTOR_PEERS, select
from helpers import load_tool, run_tool


def check_rows(report, cases, memory=True):
    """Every case and variant measured as asked, every ratio positive, stock's exactly 1."""
    rows = {row['name']: row for row in report['rows']}
    assert list(rows) == [c.name for c in cases]
    for case in cases:
        ratios = rows[case.name]['ratios']
        assert list(ratios) == list(case.variants)
        assert ratios['stock']['time'] == 1.0 and ratios['stock']['params'] == 1.0
        for variant, r in ratios.items():
            assert r['time'] > 0 and r['flops'] > 0, (case.name, variant)
            if memory:
                step = rows[case.name]['memory'][variant]['step_mib']
                assert step > 0 if case.mode == 'train' else step >= 0, (case.name, variant)
                assert r['peak'] > 0, (case.name, variant)
        if 'aw' in ratios:  # AW adds its attention: parameters and FLOPs both grow
            assert ratios['aw']['params'] > 1 and ratios['aw']['flops'] > 1
    return rows


def test_quick_case_through_every_measure(tmp_path):
    load_tool('benchmark.py').main([
        '--quick', '--reps', '1', '--threads', '1', '--cases', 'cls_train', '--variants', 'aw',
        '--profile', 'cls_train', '--out', str(tmp_path)])
    report = json.load(open(tmp_path / 'targets.json'))
    row = check_rows(report, select('targets', True, ['cls_train'], ['aw']))['cls_train']
    assert row['memory']['stock']['peak_mib'] > row['memory']['stock']['step_mib'] > 0
    kinds = row['profile']['aw']
    assert kinds['matmul (per-sample conv, heads)'] > 0 and sum(kinds.values()) > 0
    assert kinds['AW modulation (fused kernel)'] > 0  # AW's own nodes are seen by the profiler
    assert row['profile']['stock']['AW modulation (fused kernel)'] == 0
    md = (tmp_path / 'targets.md').read_text()
    for title in ('## Time / stock', '## Peak memory (peak RSS) / stock', '## Step memory',
                  '## Size / stock', '## Time (ms)', '## Where the time goes: cls_train'):
        assert title in md


@pytest.mark.skipif(torch.cuda.is_available(), reason='checks the message without a GPU')
def test_cuda_without_a_gpu_is_a_clear_error(tmp_path, capsys):
    with pytest.raises(SystemExit):
        load_tool('benchmark.py').parse_args(['--device', 'cuda', '--out', str(tmp_path)])
    assert 'no CUDA device here' in capsys.readouterr().err


def test_amp_without_cuda_is_a_clear_error(tmp_path, capsys):
    with pytest.raises(SystemExit):
        load_tool('benchmark.py').parse_args(['--amp', '--device', 'cpu', '--out', str(tmp_path)])
    assert '--amp needs a CUDA device' in capsys.readouterr().err


@pytest.mark.slow
def test_quick_targets_suite(tmp_path):
    """A detector and a backbone alone with every block-attention peer, time and size. The
    classifier's case runs every measure above; R101 runs in the peers suite (its cases add no
    code path here, only minutes); the memory probe is the same code for every model case."""
    cases = ['demo_train', 'r50_train']
    run_tool('benchmark.py', '--quick', '--reps', '1', '--skip', 'memory', '--cases', *cases,
             '--out', tmp_path, timeout=1800)
    report = json.load(open(tmp_path / 'targets.json'))
    check_rows(report, select('targets', quick=True, patterns=cases), memory=False)


@pytest.mark.slow
def test_quick_peers_suite(tmp_path):
    """Every peer in the detector's training step, time and size; the detector's inference adds
    no code path, only minutes."""
    run_tool('benchmark.py', '--suite', 'peers', '--quick', '--reps', '1', '--cases',
             'r101_train', '--skip', 'memory', '--out', tmp_path, timeout=1800)
    rows = check_rows(json.load(open(tmp_path / 'peers.json')),
                      select('peers', quick=True, patterns=['r101_train']), memory=False)
    assert tuple(rows['r101_train']['variants']) == DETECTOR_PEERS
    # mmengine cannot count mmcv's deformable conv: the report must say so, not hide it
    assert rows['r101_train']['size']['dcnv2']['untraced_ops']
    assert not rows['r101_train']['size']['stock']['untraced_ops']
    md = (tmp_path / 'peers.md').read_text()
    assert 'undercount' in md and all(name in md for name in DETECTOR_PEERS)
