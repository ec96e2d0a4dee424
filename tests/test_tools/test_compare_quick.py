"""tools/compare.py --quick on a tiny generated dataset (conftest.py's run, shared with
test_protocol_v3_quick.py): every (variant, seed) run trains with the stock loop in its own process
and is evaluated by CocoMetric, and the report, JSON and plot give exactly those runs; the
statistics match a recomputation from the per-run numbers in the JSON; a second call finds every
run in the cache and trains nothing."""
import json
import math
import statistics

import pytest
from PIL import Image

from helpers import load_tool


def compare_main(argv):
    """tools/compare.py's main in this process (for the cheap argument/data checks)."""
    return load_tool('compare.py').main([str(a) for a in argv])


@pytest.mark.slow
def test_quick_compare_writes_table_json_and_plot(quick_detection_final, capsys):
    out, proc, argv = quick_detection_final
    results = json.loads((out / 'results.json').read_text())
    summary = results['summary']

    assert results['setup']['seeds'] == [900, 901]
    assert results['setup']['variants'] == ['stock', 'aw']
    assert list(summary['variants']) == ['stock', 'aw'] and results['failed'] == []
    assert sorted((r['variant'], r['seed']) for r in results['runs']) == [
        ('aw', 900), ('aw', 901), ('stock', 900), ('stock', 901)]
    for run in results['runs']:
        assert [step for step, _ in run['curve']] == [1]  # validated at the (only) iteration
        # the final runs report the test split, read once after the last validation
        assert run['metrics'] == {m: run['test'][m] for m in run['metrics']}
        for _, metrics in run['curve']:
            assert all(math.isfinite(v) and 0 <= v <= 1 for v in metrics.values())
        assert run['wall_seconds'] > 0 and run['threads'] == 1 and not run['cached']
        # attention is measured only where there is AW; it starts at exactly 1 and one tiny
        # warm-up step cannot move it far
        if run['variant'] == 'aw':
            assert run['attention']['num_aw_convs'] == 6  # ResNet-18 stages 2-4, 2 blocks each
            assert run['attention']['num_images'] == 3  # the test split
            assert sorted(run['attention']['stages']) == ['layer2', 'layer3', 'layer4']
            assert 0 <= run['attention']['mean_abs_dev'] <= run['attention']['max_abs_dev'] < 0.5
        else:
            assert run['attention'] is None

    # mean/std per variant and the paired difference, recomputed from the runs
    final = {(r['variant'], r['seed']): r['test']['coco/bbox_mAP_50']
             for r in results['runs']}
    aw = summary['variants']['aw']['coco/bbox_mAP_50']
    assert aw['mean'] == pytest.approx(statistics.fmean([final['aw', 900], final['aw', 901]]))
    assert aw['std'] == pytest.approx(statistics.stdev([final['aw', 900], final['aw', 901]]))
    diff = summary['differences']['aw - stock']['coco/bbox_mAP_50']
    assert diff['values'] == pytest.approx([final['aw', s] - final['stock', s] for s in (900, 901)])

    table = (out / 'report.md').read_text()
    assert '| stock | 2 |' in table and '| aw | 2 |' in table and '| aw - stock |' in table
    with Image.open(out / 'curves.png') as image:
        assert image.width > 500 and image.height > 300
    assert 'report.md' in proc.stdout

    # the same command again: every run comes from the cache, with the same numbers
    capsys.readouterr()
    compare_main(argv)
    again = capsys.readouterr().out
    assert again.count(': cached (') == 4 and 'training (' not in again
    rerun = json.loads((out / 'results.json').read_text())
    assert [r['metrics'] for r in rerun['runs']] == [r['metrics'] for r in results['runs']]


def test_missing_data_root_names_the_file(tmp_path):
    with pytest.raises(SystemExit) as err:
        compare_main(['--quick', '--out', tmp_path / 'out', '--data-root', tmp_path / 'nowhere'])
    assert 'nowhere/annotations/instances_train.json' in str(err.value)
