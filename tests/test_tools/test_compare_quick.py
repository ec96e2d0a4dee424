"""tools/compare.py --quick on a tiny generated dataset: every (variant, seed) run trains with the
stock loop and is evaluated by CocoMetric, and the table, JSON and plot report exactly those runs;
the statistics match a recomputation from the per-run numbers in the JSON."""
import json
import math
import statistics

import pytest
from PIL import Image

from helpers import load_tool, make_tiny_data, run_tool


def compare_main(argv):
    """tools/compare.py's main in this process (for the cheap argument/data checks)."""
    return load_tool('compare.py').main([str(a) for a in argv])


@pytest.mark.slow
def test_quick_compare_writes_table_json_and_plot(tmp_path):
    data, out = tmp_path / 'data', tmp_path / 'out'
    make_tiny_data(data, num_train=4, num_val=2)
    proc = run_tool('compare.py', '--quick', '--out', out, '--data-root', data, '--dynamics', '1',
                    timeout=900)
    summary = json.loads((out / 'compare.json').read_text())

    assert summary['seeds'] == [0, 1] and summary['variant_order'] == ['stock', 'aw']
    assert sorted((r['variant'], r['seed']) for r in summary['runs']) == [
        ('aw', 0), ('aw', 1), ('stock', 0), ('stock', 1)]
    for run in summary['runs']:
        assert [step for step, _ in run['curve']] == [1]  # validated at the (only) iteration
        for _, metrics in run['curve']:
            assert all(math.isfinite(v) and 0 <= v <= 1 for v in metrics.values())
        assert run['seconds'] > 0
        # attention is measured only where there is AW; it starts at exactly 1 and one tiny
        # warm-up step cannot move it far
        if run['variant'] == 'aw':
            assert run['attention']['num_aw_convs'] == 6  # ResNet-18 stages 2-4, 2 blocks each
            assert 0 <= run['attention']['mean_abs_dev'] <= run['attention']['max_abs_dev'] < 0.5
            # learning dynamics: the one iteration is recorded per AW stage; A was measured in
            # its forward, before any update, so it is exactly the identity start
            (row,) = run['dynamics']
            assert row['iter'] == 1 and sorted(row['stages']) == ['layer2', 'layer3', 'layer4']
            for stage in row['stages'].values():
                assert stage['abs_a_minus_1'] == dict(mean=0.0, p99=0.0, max=0.0)
                assert stage['logit']['rms'] >= 0 and stage['weight']['rms'] > 0
        else:
            assert run['attention'] is None and run['dynamics'] == []

    # mean/std per variant and the paired difference, recomputed from the runs
    final = {(r['variant'], r['seed']): r['curve'][-1][1]['coco/bbox_mAP_50']
             for r in summary['runs']}
    aw = summary['variants']['aw']['coco/bbox_mAP_50']
    assert aw['mean'] == pytest.approx(statistics.fmean([final['aw', 0], final['aw', 1]]))
    assert aw['std'] == pytest.approx(statistics.stdev([final['aw', 0], final['aw', 1]]))
    diff = summary['differences']['aw - stock']['coco/bbox_mAP_50']
    assert diff['values'] == pytest.approx([final['aw', s] - final['stock', s] for s in (0, 1)])

    table = (out / 'compare.md').read_text()
    assert '| stock | 2 |' in table and '| aw | 2 |' in table and '| aw - stock |' in table
    with Image.open(out / 'compare_map.png') as image:
        assert image.width > 500 and image.height > 300
    assert 'compare.md' in proc.stdout


def test_se_variant_on_basic_blocks_is_a_clear_error(tmp_path):
    data = tmp_path / 'data'
    make_tiny_data(data, num_train=2, num_val=2)
    with pytest.raises(SystemExit) as err:
        compare_main(['--quick', '--out', tmp_path / 'out', '--data-root', data,
                      '--variants', 'se'])
    assert "variant 'se'" in str(err.value) and '--depth 50' in str(err.value)
    assert not (tmp_path / 'out' / 'compare.json').exists()


def test_missing_data_root_names_the_file(tmp_path):
    with pytest.raises(SystemExit) as err:
        compare_main(['--quick', '--out', tmp_path / 'out', '--data-root', tmp_path / 'nowhere'])
    assert 'nowhere/annotations/instances_train.json' in str(err.value)
