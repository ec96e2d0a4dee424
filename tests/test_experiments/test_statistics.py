"""The comparison's statistics against independent references: the paired-difference table
against scipy's paired t-test, t quantiles against printed tables and the detectable difference
against a simulated t-test.
"""
import math

import numpy as np
import pytest

from experiments.classification.study import ClassificationStudy
from experiments.detection.study import DetectionStudy
from experiments.harness.ablation import stage_of
from experiments.harness.report import markdown, summarize
from experiments.stats import (
    min_detectable_difference,
    paired_difference,
    t_quantile,
)


def test_stage_names():
    assert stage_of('backbone.layer3.4.conv2') == 'layer3'
    assert stage_of('neck.fpn_convs.0.conv') == 'neck.fpn_convs.0'


def _run(variant, seed, map_, map50):
    final = {'coco/bbox_mAP': map_, 'coco/bbox_mAP_50': map50}
    return dict(variant=variant, seed=seed, wall_seconds=100.0 + seed, metrics=final,
                curve=[(90, {'coco/bbox_mAP': 0.0, 'coco/bbox_mAP_50': 0.0}), (540, final)],
                attention=None if variant == 'stock' else dict(
                    mean_abs_dev=0.01, max_abs_dev=0.2,
                    stages={'layer2': dict(mean=0.01, max=0.2)}))


def test_paired_difference_matches_scipy():
    from scipy import stats
    stock = [0.30, 0.32, 0.31, 0.29, 0.33]
    aw = [0.31, 0.335, 0.32, 0.30, 0.34]
    runs = [_run('stock', s, v, v + 0.2) for s, v in enumerate(stock)]
    runs += [_run('aw', s, v, v + 0.2 - 0.01 * (s % 2)) for s, v in enumerate(aw)]
    summary = summarize(DetectionStudy(), runs)
    d = summary['differences']['aw - stock']['coco/bbox_mAP']
    diffs = np.subtract(aw, stock)
    ref = stats.ttest_rel(aw, stock)
    assert d['p_value'] == pytest.approx(ref.pvalue)
    half = stats.t.ppf(0.975, 4) * diffs.std(ddof=1) / math.sqrt(5)
    assert d['ci'] == pytest.approx([diffs.mean() - half, diffs.mean() + half])
    # the primary's detectable difference is at Holm's first step over two primaries
    assert d['mdd'] == pytest.approx(min_detectable_difference(diffs.std(ddof=1), 5, 0.025))
    assert d['role'] == 'primary' and d['seeds_better'] == 5 and 'verdict' not in d
    table = markdown(summary)
    assert '| aw - stock | bbox mAP | +1.10 |' in table and '| aw | layer2 |' in table
    assert '| stock | 5 | 31.00 ± 1.58 | 30.00, 32.00, 31.00, 29.00, 33.00 |' in table


def test_two_seeds_give_an_interval_but_no_detectable_difference():
    # 1 degree of freedom: scipy's noncentral t is NaN there, so the MDD is undefined
    diff = paired_difference({0: 0.31, 1: 0.33}, {0: 0.30, 1: 0.30})
    assert diff['ci'][0] < diff['mean'] < diff['ci'][1] and diff['mdd'] is None
    assert min_detectable_difference(0.01, 2) is None
    summary = summarize(DetectionStudy(), [_run('stock', 0, 0.30, 0.5), _run('stock', 1, 0.30, 0.5),
                                           _run('aw', 0, 0.31, 0.5), _run('aw', 1, 0.33, 0.5)])
    assert summary['differences']['aw - stock']['coco/bbox_mAP']['mdd'] is None
    assert '| aw - stock | bbox mAP | +2.00 |' in markdown(summary)


def test_percent_metrics_are_reported_as_they_are():
    # classification's top-1 is already in percent
    runs = [dict(variant=v, seed=s, wall_seconds=1.0, curve=[], attention=None,
                 metrics={'cls/top1': 90.0 + s + 2 * (v == 'aw')})
            for v in ('stock', 'aw') for s in range(3)]
    runs[-1]['metrics']['cls/top1'] += 1.5  # spread in the differences
    summary = summarize(ClassificationStudy(), runs, ['stock', 'aw'])
    d = summary['differences']['aw - stock']['cls/top1']
    assert d['values'] == pytest.approx([2.0, 2.0, 3.5])
    assert d['mdd'] == pytest.approx(min_detectable_difference(d['std'], 3, 0.025))
    assert '| aw - stock | top-1 | +2.50 |' in markdown(summary)


def test_paired_statistics_match_textbook_and_simulation():
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
