"""Protocol v3's final runs as the harness runs them (docs/evidence_protocol.md section 5): their
run configs (test split read, checkpoints at every validation, ablations), the report's primary
and secondary comparisons and ablations, and the verdicts: Holm over both studies' primaries and
the recipe rule."""
import json

import pytest
from scipy import stats

from experiments.classification.study import ClassificationStudy
from experiments.detection.study import DetectionStudy
from experiments.harness.compare import parse_args
from experiments.harness.report import markdown, summarize
from experiments.harness.verdict import main as verdict_main
from experiments.stats import holm, min_detectable_difference
from helpers import load_config, make_tiny_data


@pytest.fixture(scope='module')
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp('data')
    make_tiny_data(root, num_train=2, num_val=2)
    return root


def _base(study, argv):
    args = parse_args(study, ['--out', '/tmp/unused'] + argv)
    return args, study.base_config(args)


def test_detection_final_runs_read_the_test_split(data):
    study = DetectionStudy()
    args, cfg = _base(study, ['--data-root', str(data), '--iters', '1080', '--seeds', '0', '1'])
    assert args.variants == ['stock', 'aw', 'aw_attn_lr10'] and args.seeds == [0, 1]
    test, val = cfg.test_dataloader.dataset, cfg.val_dataloader.dataset
    assert (test.ann_file, test.data_prefix.img) == ('annotations/instances_test.json', 'test/')
    assert (val.ann_file, val.data_prefix.img) == ('annotations/instances_val.json', 'val/')
    assert cfg.test_evaluator.ann_file == f'{data}/annotations/instances_test.json'
    assert cfg.val_evaluator.ann_file == f'{data}/annotations/instances_val.json'
    assert cfg.default_hooks.checkpoint.interval == cfg.train_cfg.val_interval == 90
    assert cfg.harness.phase == 'final' and cfg.harness.test
    assert dict(type='ValidationRngHook') in cfg.custom_hooks  # resumed runs as uncut ones
    assert 'experiments.harness.validation_rng_hook' in cfg.custom_imports.imports
    ablation = cfg.harness.ablation
    assert (ablation.batch_size, ablation.mean_images, ablation.shuffle) == (1, None, 'previous')
    assert (ablation.mean_dataset.ann_file, ablation.mean_dataset.data_prefix.img) == (
        'annotations/instances_train.json', 'train/')
    assert ablation.mean_dataset.pipeline == test.pipeline  # the test pipeline on train images

    args, cfg = _base(study, ['--data-root', str(data)])
    assert cfg.train_cfg.max_iters == 2160 and cfg.default_hooks.checkpoint.interval == 90
    # a complete schedule, not a longer cut: the demo's warm-up, then cosine to its end lr
    assert [(s.type, s.begin, s.end) for s in cfg.param_scheduler] == [
        ('LinearLR', 0, 50), ('CosineAnnealingLR', 50, 2160)]
    assert cfg.param_scheduler[-1].eta_min == 1e-4


def test_detection_runs_need_the_test_split(tmp_path, data):
    old = tmp_path / 'old'  # data made before the test split existed
    make_tiny_data(old, num_train=1, num_val=1, num_test=1)
    (old / 'annotations' / 'instances_test.json').unlink()
    with pytest.raises(ValueError, match='instances_test.json not found'):
        _base(DetectionStudy(), ['--data-root', str(old), '--iters', '1080'])


def test_classification_final_runs():
    study = ClassificationStudy()
    args, cfg = _base(study, ['--iters', '1600', '--seeds', '0'])
    assert [(s.begin, s.end, s.get('eta_min')) for s in cfg.param_scheduler] == [
        (0, 50, None), (50, 1600, 0.0)]  # 50-iteration warm-up, cosine to 0 (5.3)
    assert args.variants == ['stock', 'aw', 'se', 'aw_se', 'stock_wide']
    assert cfg.default_hooks.checkpoint.interval == cfg.train_cfg.val_interval == 100
    ablation = cfg.harness.ablation
    assert (ablation.batch_size, ablation.mean_images, ablation.shuffle) == (32, 2048, 'next')
    assert ablation.mean_dataset.split == 'train' and cfg.test_dataloader.dataset.split == 'test'


def test_stock_wide_is_the_nearest_width_at_or_above_aws_parameter_count():
    """5.5: stock_wide (stage 4 at 130 channels) +15.3 k parameters against AW's +12.5 k; 129
    channels would be below AW's count."""
    import copy

    from mmdet.registry import MODELS
    from mmdet.utils import register_all_modules
    register_all_modules()
    study = ClassificationStudy()
    base = load_config(study.config)

    def params(variant, last_stage_channels=None):
        cfg = study.apply(copy.deepcopy(base), variant)
        if last_stage_channels:
            cfg.model.backbone.last_stage_channels = last_stage_channels
        return sum(p.numel() for p in MODELS.build(cfg.model).parameters())

    stock = params('stock')
    assert (params('aw') - stock, params('stock_wide') - stock) == (12544, 15252)
    assert params('stock_wide', 129) - stock < 12544


def test_the_defaults_are_the_final_runs():
    study = ClassificationStudy()
    args = parse_args(study, ['--out', '/tmp/unused'])
    assert (args.variants, args.seeds, args.iters) == (
        ['stock', 'aw', 'se', 'aw_se', 'stock_wide'], list(range(8)), 6400)
    args = parse_args(study, ['--out', '/tmp/unused', '--seeds', '200', '--iters', '800'])
    assert (args.seeds, args.iters) == ([200], 800)  # what is given stays
    args = parse_args(DetectionStudy(), ['--out', '/tmp/unused', '--seeds', '3'])
    assert (args.variants, args.seeds, args.iters) == (['stock', 'aw', 'aw_attn_lr10'], [3], 2160)


def test_quick_is_a_smoke_run():
    study = ClassificationStudy()
    args = parse_args(study, ['--out', '/tmp/unused', '--quick'])
    assert (args.variants, args.seeds, args.iters) == (['stock', 'aw'], [0], 10)
    args = parse_args(study, ['--out', '/tmp/unused', '--quick', '--iters', '30'])
    assert args.iters == 30  # what is given explicitly stays


def test_a_length_that_would_cut_the_warm_up_is_refused():
    from mmengine.config import Config

    from experiments.harness.study import extend_schedule
    cfg = Config(dict(train_cfg=dict(max_iters=800), param_scheduler=[
        dict(type='LinearLR', begin=0, end=50), dict(type='CosineAnnealingLR', begin=50, end=800)]))
    with pytest.raises(ValueError, match='LinearLR'):
        extend_schedule(cfg, 40)


def _results(study, runs, phase='final', iters=800):
    return dict(setup=dict(study=study.name, phase=phase, iters=iters, test_split=True,
                           tool=study.tool), summary=summarize(study, runs), runs=runs)


def _cls_run(variant, seed, top1, ablations=None):
    return dict(variant=variant, seed=seed, metrics={'cls/top1': top1}, wall_seconds=1.0,
                curve=[], attention=None, ablations=ablations)


def test_holm_steps_down():
    assert [h['rejected'] for h in holm([0.02, 0.04])] == [True, True]
    assert [h['rejected'] for h in holm([0.04, 0.02])] == [True, True]
    assert [h['rejected'] for h in holm([0.03, 0.04])] == [False, False]  # 0.03 > 0.025 stops
    assert [h['rejected'] for h in holm([0.01, 0.06])] == [True, False]
    assert [h['rejected'] for h in holm([None, 0.001])] == [False, True]
    assert [(h['rank'], h['threshold']) for h in holm([0.3, 0.1])] == [(2, 0.05), (1, 0.025)]


def _ablations(seed, full):
    metrics = {mode: {'cls/top1': full - drop} for mode, drop in
               (('full', 0.0), ('off', 3.0 + seed), ('mean', 1.0), ('shuffled', 2.0 + seed / 2))}
    return dict(metrics=metrics, variation={'layer1': dict(
        between_sd=0.01 * (seed + 1), mean_abs_dev=0.05, between_share=0.5)})


def test_final_report_primary_secondary_and_ablations():
    study = ClassificationStudy()
    top1 = dict(stock=[90.0, 91.0, 90.5], aw=[91.0, 91.5, 91.8], se=[90.2, 91.4, 90.5],
                aw_se=[91.0, 91.0, 91.0], stock_wide=[90.1, 91.2, 90.4])
    runs = [_cls_run(v, s, x, _ablations(s, x) if v.startswith('aw') else None)
            for v, values in top1.items() for s, x in enumerate(values)]
    summary = summarize(study, runs)
    primary = summary['differences']['aw - stock']['cls/top1']
    assert primary['role'] == 'primary' and 'verdict' not in primary
    assert primary['p_value'] == pytest.approx(stats.ttest_rel(top1['aw'], top1['stock']).pvalue)
    assert primary['mdd'] == pytest.approx(min_detectable_difference(primary['std'], 3, 0.025))
    assert list(summary['differences']) == ['aw - stock', 'se - stock', 'aw_se - se',
                                            'aw - stock_wide', 'stock_wide - stock']
    ablated = summary['variants']['aw']['ablations']
    assert ablated['differences']['full - off']['cls/top1']['values'] == [3.0, 4.0, 5.0]
    assert summary['variants']['stock']['ablations'] is None
    report = markdown(summary)
    assert '| aw - stock | top-1 | +0.93 |' in report and 'Holm' in report
    assert '| secondary comparison (exploratory, no verdict) | metric | mean (points) | 95 % CI' \
        ' (t) | seeds better |' in report
    assert '| aw: full - shuffled | top-1 | +2.50 |' in report
    assert '| aw | layer1 | 2.000 ± 1.000 | 5.000 ± 0.000 | 0.500 ± 0.000 |' in report


def test_verdict_applies_holm_over_both_studies_and_the_recipe_rule(tmp_path, capsys):
    cls = ClassificationStudy()
    cls_runs = [_cls_run(v, s, x) for v, values in dict(
        stock=[90.0, 91.0, 90.5, 90.2], aw=[90.9, 91.7, 91.6, 91.0]).items()
        for s, x in enumerate(values)]
    det = DetectionStudy()
    det_maps = dict(stock=[0.40, 0.41, 0.39, 0.42], aw=[0.405, 0.40, 0.40, 0.425],
                    aw_attn_lr10=[0.42, 0.415, 0.41, 0.44])
    det_runs = [dict(variant=v, seed=s, wall_seconds=1.0, curve=[], attention=None,
                     metrics={'coco/bbox_mAP': x, 'coco/bbox_mAP_50': 0.6})
                for v, values in det_maps.items() for s, x in enumerate(values)]
    paths = []
    for study, runs in ((det, det_runs), (cls, cls_runs)):
        paths.append(tmp_path / f'{study.name}.json')
        paths[-1].write_text(json.dumps(_results(study, runs, 'final')))
    out = verdict_main([str(p) for p in paths] + ['--out', str(tmp_path / 'verdict.json')])
    printed = capsys.readouterr().out
    p_det = stats.ttest_rel(det_maps['aw'], det_maps['stock']).pvalue
    p_cls = stats.ttest_rel([90.9, 91.7, 91.6, 91.0], [90.0, 91.0, 90.5, 90.2]).pvalue
    assert p_cls < 0.025 < p_det  # the classification primary first, then detection's at 0.05
    det_v, cls_v = out['primaries']
    assert (cls_v['rank'], cls_v['rejected'], cls_v['verdict']) == (1, True, 'AW better')
    assert (det_v['rank'], det_v['rejected']) == (2, p_det <= 0.05)
    assert det_v['p_value'] == pytest.approx(p_det) and cls_v['p_value'] == pytest.approx(p_cls)
    recipe = out['recipe']
    p_recipe = stats.ttest_rel(det_maps['aw_attn_lr10'], det_maps['aw']).pvalue
    assert recipe['p_value'] == pytest.approx(p_recipe)
    assert recipe['recipe_default'] == (p_recipe < 0.05)
    assert 'classification aw - stock' in printed and '**AW better**' in printed
    assert 'Recipe rule: aw_attn_lr10 - aw' in printed
    assert json.loads((tmp_path / 'verdict.json').read_text()) == json.loads(json.dumps(out))

    pilot = tmp_path / 'pilot.json'  # v3's pilots ran with older code; their results say so
    pilot.write_text(json.dumps(_results(cls, cls_runs, 'pilot')))
    with pytest.raises(SystemExit):
        verdict_main([str(paths[0]), str(pilot)])

