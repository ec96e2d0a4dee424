"""Protocol v3's steps as the harness runs them (docs/evidence_protocol.md section 5): the phases'
run configs (test split only in final runs, checkpoints at every validation, ablations), the
doubling rule of the calibration, the report's primary and secondary comparisons and ablations,
and the verdicts: Holm over both studies' primaries and the recipe rule."""
import json

import pytest
from scipy import stats

from experiments.classification.study import ClassificationStudy
from experiments.evidence.study import DetectionStudy
from experiments.harness.calibration import doubling_rule
from experiments.harness.calibration import main as calibration_main
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


def test_detection_final_runs_read_the_test_split_and_pilots_do_not(data):
    study = DetectionStudy()
    args, cfg = _base(study, ['--data-root', str(data), '--phase', 'final', '--iters', '1080',
                              '--seeds', '0', '1'])
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

    args, cfg = _base(study, ['--data-root', str(data), '--phase', 'pilot', '--iters', '1080'])
    assert args.variants == ['stock', 'aw'] and args.seeds == [200, 201, 202, 203]
    assert cfg.harness == dict(phase='pilot', test=False, ablation=None)
    args, cfg = _base(study, ['--data-root', str(data), '--phase', 'calibration', '--iters',
                              '2160'])
    assert args.variants == ['stock'] and args.seeds == [100, 101, 102]
    assert cfg.train_cfg.max_iters == 2160 and cfg.default_hooks.checkpoint.interval == 90
    # a complete schedule, not a longer cut: the demo's warm-up, then cosine to its end lr
    assert [(s.type, s.begin, s.end) for s in cfg.param_scheduler] == [
        ('LinearLR', 0, 50), ('CosineAnnealingLR', 50, 2160)]
    assert cfg.param_scheduler[-1].eta_min == 1e-4


def test_detection_phases_need_the_test_split(tmp_path, data):
    old = tmp_path / 'old'  # data made before the test split existed
    make_tiny_data(old, num_train=1, num_val=1, num_test=1)
    (old / 'annotations' / 'instances_test.json').unlink()
    with pytest.raises(ValueError, match='instances_test.json not found'):
        _base(DetectionStudy(), ['--data-root', str(old), '--phase', 'pilot', '--iters', '1080'])


def test_classification_phases():
    study = ClassificationStudy()
    args, cfg = _base(study, ['--phase', 'final', '--iters', '1600', '--seeds', '0'])
    assert [(s.begin, s.end, s.get('eta_min')) for s in cfg.param_scheduler] == [
        (0, 50, None), (50, 1600, 0.0)]  # 50-iteration warm-up, cosine to 0 (5.3)
    assert args.variants == ['stock', 'aw', 'se', 'aw_se', 'stock_wide']
    assert cfg.default_hooks.checkpoint.interval == cfg.train_cfg.val_interval == 100
    ablation = cfg.harness.ablation
    assert (ablation.batch_size, ablation.mean_images, ablation.shuffle) == (32, 2048, 'next')
    assert ablation.mean_dataset.split == 'train' and cfg.test_dataloader.dataset.split == 'test'
    args, cfg = _base(study, ['--phase', 'calibration', '--iters', '3200'])
    assert args.bench_reps == 0 and not cfg.harness.test


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


def test_each_phase_brings_its_variants_seeds_and_schedule():
    study = ClassificationStudy()
    args = parse_args(study, ['--out', '/tmp/unused'])  # the default: the final runs
    assert (args.phase, args.variants, args.seeds, args.iters) == (
        'final', ['stock', 'aw', 'se', 'aw_se', 'stock_wide'], list(range(8)), 6400)
    args = parse_args(study, ['--out', '/tmp/unused', '--phase', 'pilot', '--iters', '800'])
    assert (args.seeds, args.iters) == ([200, 201, 202, 203], 800)  # what is given stays
    args = parse_args(DetectionStudy(), ['--out', '/tmp/unused', '--seeds', '3'])
    assert (args.variants, args.seeds, args.iters) == (['stock', 'aw', 'aw_attn_lr10'], [3], 2160)


def test_quick_keeps_its_seeds_and_a_phase_its_variants():
    study = ClassificationStudy()
    args = parse_args(study, ['--out', '/tmp/unused', '--quick'])
    assert (args.variants, args.seeds, args.iters, args.phase) == (['stock', 'aw'], [0], 10,
                                                                   'final')
    args = parse_args(study, ['--out', '/tmp/unused', '--quick', '--phase', 'calibration'])
    assert (args.variants, args.seeds, args.calibrate) == (['stock'], [0], True)
    args = parse_args(study, ['--out', '/tmp/unused', '--quick', '--iters', '30'])
    assert args.iters == 30  # what is given explicitly stays


def test_a_length_that_would_cut_the_warm_up_is_refused():
    from mmengine.config import Config

    from experiments.harness.study import extend_schedule
    cfg = Config(dict(train_cfg=dict(max_iters=800), param_scheduler=[
        dict(type='LinearLR', begin=0, end=50), dict(type='CosineAnnealingLR', begin=50, end=800)]))
    with pytest.raises(ValueError, match='LinearLR'):
        extend_schedule(cfg, 40)


def test_doubling_rule():
    candidates = (800, 1600, 3200, 6400)
    assert doubling_rule({800: 90.0}, candidates, 0.5)['next'] == 1600
    out = doubling_rule({800: 90.0, 1600: 92.0}, candidates, 0.5)
    assert out['choice'] is None and out['next'] == 3200 and out['steps'][0]['gain'] == 2.0
    out = doubling_rule({800: 90.0, 1600: 92.0, 3200: 92.4}, candidates, 0.5)
    assert out['choice'] == 1600 and not out['still_rising']  # +0.4 < 0.5: the shorter
    out = doubling_rule({800: 90.0, 1600: 92.0, 3200: 93.0, 6400: 93.6}, candidates, 0.5)
    assert out['choice'] == 6400 and out['still_rising']
    assert doubling_rule({1080: 40.0, 2160: 40.49}, (1080, 2160), 0.5)['choice'] == 1080
    out = doubling_rule({1080: 40.0, 2160: 40.5}, (1080, 2160), 0.5)
    assert out['choice'] == 2160 and out['still_rising']  # a gain of exactly 0.5 is rising


def _results(study, runs, phase, iters=800):
    summary = summarize(study, runs, phase=phase)
    return dict(setup=dict(study=study.name, phase=phase, iters=iters, test_split=phase == 'final',
                           tool=study.tool, calibration=study.calibration),
                summary=summary, runs=runs)


def _cls_run(variant, seed, top1, ablations=None):
    return dict(variant=variant, seed=seed, metrics={'cls/top1': top1}, wall_seconds=1.0,
                curve=[], attention=None, ablations=ablations)


def test_calibration_command_trains_on_until_stock_stops_rising(tmp_path, capsys):
    study = ClassificationStudy()
    for length, mean in ((800, 90.0), (1600, 92.0)):
        runs = [_cls_run('stock', s, mean + d) for s, d in ((100, -0.2), (101, 0.0), (102, 0.2))]
        (tmp_path / str(length)).mkdir()
        (tmp_path / str(length) / 'results.json').write_text(json.dumps(
            _results(study, runs, 'calibration', length)))
    with pytest.raises(SystemExit) as stop:
        calibration_main([str(tmp_path)])
    printed = capsys.readouterr().out
    assert stop.value.code == 3
    assert '1600 vs 800: 92.00 - 90.00 = +2.00 points >= 0.5: stock still rising' in printed
    assert ('python tools/compare_classification.py --phase calibration --iters 3200 --out '
            f'{tmp_path}/3200') in printed
    runs = [_cls_run('stock', s, 92.3) for s in (100, 101, 102)]
    (tmp_path / '3200').mkdir()
    (tmp_path / '3200' / 'results.json').write_text(json.dumps(
        _results(study, runs, 'calibration', 3200)))
    assert calibration_main([str(tmp_path)])['choice'] == 1600
    assert 'chosen: 1600 iterations' in capsys.readouterr().out


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
    summary = summarize(study, runs, phase='final')
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

    pilot = tmp_path / 'pilot.json'
    pilot.write_text(json.dumps(_results(cls, cls_runs, 'pilot')))
    with pytest.raises(SystemExit):
        verdict_main([str(paths[0]), str(pilot)])


def test_a_candidate_run_on_other_seeds_does_not_count(tmp_path, capsys):
    """A ``--seeds`` subset writes a results.json of its own seeds only; the rule must not read
    it as the candidate."""
    from experiments.harness.calibration import report
    study = ClassificationStudy()
    for iters, seeds in ((800, (100, 101, 102)), (1600, (101, 102))):
        runs = [_cls_run('stock', s, 90.0 + iters / 800) for s in seeds]
        (tmp_path / str(iters)).mkdir()
        (tmp_path / str(iters) / 'results.json').write_text(
            json.dumps(_results(study, runs, 'calibration', iters)))
    out = report(str(tmp_path), [800, 1600, 3200], 0.5, study.tool, seeds=[100, 101, 102])
    assert out['next'] == 1600 and 'to be run again' in capsys.readouterr().out
    assert report(str(tmp_path), [800, 1600, 3200], 0.5, study.tool)['next'] == 3200
