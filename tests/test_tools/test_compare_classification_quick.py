"""tools/compare_classification.py --quick: two variants x one seed train with mmengine's Runner on
a few rendered scans, in their own processes; results.json carries what the report is built from
(test top-1, val curve, wall time, step cost, per-stage attention) and report.md and the plot are
written. No accuracy is asserted: 10 iterations measure the machinery, not AW."""
import json
import math

import pytest

from helpers import run_tool


@pytest.mark.slow
def test_quick_comparison_writes_results_report_and_plot(tmp_path):
    out = tmp_path / 'out'
    # --jobs 2: both runs at once, one thread each (two-thread OpenMP crawls on a busy machine)
    proc = run_tool('compare_classification.py', '--quick', '--jobs', '2', '--out', out,
                    timeout=300)
    results = json.loads((out / 'results.json').read_text())

    assert results['setup']['quick'] and results['setup']['iters'] == 10
    assert results['setup']['threads_per_run'] == 1
    assert results['failed'] == []
    runs = {(r['variant'], r['seed']): r for r in results['runs']}
    assert sorted(runs) == [('aw', 0), ('stock', 0)]
    for run in runs.values():
        assert 0 <= run['test']['cls/top1'] <= 100
        assert [step for step, _ in run['curve']] == [5, 10]  # val every 5 iterations
        assert all(0 <= m['cls/top1'] <= 100 for _, m in run['curve'])
        assert run['iters'] == 10 and run['wall_seconds'] > 0 and run['train_seconds'] > 0
        assert run['cached'] is False and run['resumed'] is False and run['threads'] == 1

    # attention: none without AW; with AW, measured per stage (A = 2 sigmoid(.) is in (0, 2))
    assert runs['stock', 0]['attention'] is None
    attention = runs['aw', 0]['attention']
    assert sorted(attention) == ['stage1', 'stage2', 'stage3', 'stage4']  # AW in every stage
    for stage in attention.values():
        assert stage['num_convs'] == 2  # ResNet-18: two BasicBlocks per stage
        assert 0 <= stage['mean'] <= stage['p99'] <= stage['max'] < 1

    summary = results['summary']
    diff = summary['differences']['aw - stock']
    expected = runs['aw', 0]['test']['cls/top1'] - runs['stock', 0]['test']['cls/top1']
    assert diff['values'] == pytest.approx([expected]) and diff['ci'] is None  # 1 seed: no CI
    cost = summary['cost']
    assert cost['ratios']['aw/stock'] > 0 and math.isfinite(cost['ratios']['aw/stock'])
    assert set(cost['variants']) == {'stock', 'aw'}

    report = (out / 'report.md').read_text()
    assert '| stock | 1 |' in report and '| aw | 1 |' in report and '| aw - stock |' in report
    assert (out / 'accuracy_curves.png').stat().st_size > 10_000
    assert 'report.md' in proc.stdout


def test_paired_statistics_match_textbook_and_simulation():
    import numpy as np

    from experiments.stats import (
        min_detectable_difference,
        paired_difference,
        t_quantile,
    )
    assert t_quantile(0.975, 4) == pytest.approx(2.7764, abs=1e-4)  # printed t tables
    assert t_quantile(0.975, 2) == pytest.approx(4.3027, abs=1e-4)
    diff = paired_difference({0: 91.0, 1: 92.0, 2: 90.5}, {0: 90.0, 1: 90.0, 2: 90.0})
    assert diff['values'] == pytest.approx([1.0, 2.0, 0.5]) and diff['seeds_better'] == 3
    half = 4.3027 * diff['std'] / math.sqrt(3)
    assert diff['ci'] == pytest.approx([diff['mean'] - half, diff['mean'] + half], abs=1e-3)
    # the detectable difference is the one a simulated paired t-test finds 80 % of the time
    mdd = min_detectable_difference(1.0, 5)
    rng = np.random.default_rng(0)
    samples = rng.normal(mdd, 1.0, (40_000, 5))
    t = samples.mean(1) / (samples.std(1, ddof=1) / math.sqrt(5))
    assert np.mean(np.abs(t) > t_quantile(0.975, 4)) == pytest.approx(0.80, abs=0.01)
    assert min_detectable_difference(0.0, 5) is None and min_detectable_difference(1.0, 1) is None


def test_splits_share_no_scan():
    from experiments.classification.data import split_indices
    splits = split_indices(1797, seed=0)
    sets = {name: set(idx.tolist()) for name, idx in splits.items()}
    assert sum(len(s) for s in sets.values()) == 1797
    assert not (sets['train'] & sets['test'] or sets['train'] & sets['val']
                or sets['val'] & sets['test'])
