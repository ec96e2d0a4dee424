"""tools/compare_classification.py --quick (conftest.py's run, shared with
test_protocol_v3_quick.py): two variants x one seed train with mmengine's Runner on
a few rendered scans, in their own processes; results.json carries what the report is built from
(test top-1, val curve, wall time, per-stage attention) and report.md and the plot are
written. No accuracy is asserted: 10 iterations measure the machinery, not AW."""
import json

import pytest


@pytest.mark.slow
def test_quick_comparison_writes_results_report_and_plot(quick_classification_final):
    out, proc = quick_classification_final
    results = json.loads((out / 'results.json').read_text())

    assert results['setup']['quick'] and results['setup']['iters'] == 10
    assert results['setup']['threads_per_run'] == 1
    assert results['failed'] == []
    runs = {(r['variant'], r['seed']): r for r in results['runs']}
    assert sorted(runs) == [('aw', 900), ('stock', 900)]
    for run in runs.values():
        assert run['metrics'] == run['test'] and 0 <= run['test']['cls/top1'] <= 100
        assert [step for step, _ in run['curve']] == [5, 10]  # val every 5 iterations
        assert all(0 <= m['cls/top1'] <= 100 for _, m in run['curve'])
        assert run['iters'] == 10 and run['wall_seconds'] > 0
        assert run['cached'] is False and run['resumed'] is False and run['threads'] == 1

    # attention: none without AW; with AW, measured per stage (A = 2 sigmoid(.) is in (0, 2))
    assert runs['stock', 900]['attention'] is None
    attention = runs['aw', 900]['attention']
    assert attention['num_aw_convs'] == 8  # 2 blocks x 4 stages
    assert attention['num_images'] == 24  # the test split: 6 scans x 4 renders
    assert sorted(attention['stages']) == ['layer1', 'layer2', 'layer3', 'layer4']
    for stage in attention['stages'].values():
        assert 0 <= stage['mean'] <= stage['max'] < 1

    summary = results['summary']
    diff = summary['differences']['aw - stock']['cls/top1']
    expected = runs['aw', 900]['test']['cls/top1'] - runs['stock', 900]['test']['cls/top1']
    assert diff['values'] == pytest.approx([expected]) and diff['ci'] is None  # 1 seed: no CI

    report = (out / 'report.md').read_text()
    assert '| stock | 1 |' in report and '| aw | 1 |' in report and '| aw - stock |' in report
    assert (out / 'curves.png').stat().st_size > 10_000
    assert 'report.md' in proc.stdout
