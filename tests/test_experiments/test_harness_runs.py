"""How the comparison caches runs: the key is the run config's text (its SHA-256, formatted with
the run directory written as ``<work_dir>`` and the checkout as ``<root>``). A finished run with
the same config is read back instead of trained; a changed config is trained again from scratch."""
import copy
import hashlib
import json

import pytest

from experiments import ROOT
from experiments.detection.study import DetectionStudy
from experiments.harness.compare import parse_args
from experiments.harness.runs import config_key, run_one
from experiments.harness.study import stretch_schedule
from helpers import make_tiny_data


@pytest.fixture
def detection(tmp_path):
    """(study, base config, parsed args, dumped text of run ('aw', seed 3) as the key hashes it)."""
    data = tmp_path / 'data'
    make_tiny_data(data, num_train=2, num_val=2)
    study = DetectionStudy()
    args = parse_args(study, ['--out', str(tmp_path / 'out'), '--data-root', str(data)])
    base = study.base_config(args)
    run_dir = str(tmp_path / 'out' / 'runs' / 'aw' / 'seed3')
    cfg = study.run_config(base, 'aw', 3)
    cfg.work_dir = run_dir
    cfg.dump(str(tmp_path / 'reference.py'))
    text = (tmp_path / 'reference.py').read_text().replace(run_dir, '<work_dir>')
    return study, base, args, text


def _write(path, record):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record))


def _run(study, base, args):
    messages = []
    return run_one(study, base, 'aw', 3, args, messages.append), messages


def _key_of(tmp_path, cfg, work_dir):
    from mmengine.config import Config
    Config(cfg).dump(str(tmp_path / 'run.py'))
    return config_key(str(tmp_path / 'run.py'), work_dir)


def _text_hash(cfg):
    from mmengine.config import Config
    return hashlib.sha256(Config(cfg).pretty_text.encode()).hexdigest()


def test_the_key_is_the_config_text_wherever_the_run_dir_is(tmp_path):
    expected = _text_hash(dict(work_dir='<work_dir>', lr=0.1))
    assert _key_of(tmp_path, dict(work_dir='/x/runs/aw/seed0', lr=0.1), '/x/runs/aw/seed0') \
        == expected
    assert _key_of(tmp_path, dict(work_dir='/elsewhere/seed0', lr=0.1), '/elsewhere/seed0') \
        == expected
    assert _key_of(tmp_path, dict(work_dir='/x/runs/aw/seed0', lr=0.2), '/x/runs/aw/seed0') \
        != expected


def test_the_key_is_the_same_in_every_clone(tmp_path):
    """results/v3 is committed: a run finished in one clone stays cached in another, whatever the
    length of its path (the formatter wraps a long path's lines, a short one's not)."""
    assert _key_of(tmp_path, dict(data_root=f'{ROOT}/data/aw_demo/'), '/x/runs/aw/seed0') \
        == _text_hash(dict(data_root='<root>/data/aw_demo/'))
    keys = set()
    for work_dir in ('/w', '/tmp/tmp.Vw4Wt1z1X5/project/results/v3/detection/final/runs/aw/seed0'):
        evaluator = dict(type='CocoMetric', ann_file=f'{work_dir}/annotations/instances_test.json')
        keys.add(_key_of(tmp_path, dict(work_dir=work_dir, test_evaluator=evaluator), work_dir))
    assert len(keys) == 1


def test_a_finished_run_with_the_same_config_text_is_read_not_trained(tmp_path, detection):
    study, base, args, text = detection
    final = {'coco/bbox_mAP': 0.5, 'coco/bbox_mAP_50': 0.8}
    _write(tmp_path / 'out' / 'runs' / 'aw' / 'seed3' / 'result.json', dict(
        config_sha256=hashlib.sha256(text.encode()).hexdigest(), variant='aw', seed=3,
        metrics=final, curve=[[1080, final]], wall_seconds=700.0, attention=None))
    record, messages = _run(study, base, args)
    assert record['cached'] and record['metrics'] == final and record['wall_seconds'] == 700.0
    assert messages == ['aw seed 3: cached (bbox mAP 50.00, mAP@0.5 80.00)']


def test_a_changed_config_is_run_again_from_scratch(tmp_path, detection):
    study, base, args, text = detection
    run_dir = tmp_path / 'out' / 'runs' / 'aw' / 'seed3'
    final = {'coco/bbox_mAP': 0.5, 'coco/bbox_mAP_50': 0.8}
    _write(run_dir / 'result.json', dict(
        config_sha256=hashlib.sha256(text.encode()).hexdigest(), variant='aw', seed=3,
        metrics=final, curve=[[1080, final]], wall_seconds=700.0, attention=None))
    # another image folder: another config text. It does not exist, so the run's process stops
    # at tools/train.py's dataset check instead of training.
    base.train_dataloader.dataset.data_prefix.img = 'missing/'
    record, messages = _run(study, base, args)
    assert record['error'] == 'exit 1' and 'image directory not found' in record['log_tail']
    assert not (run_dir / 'result.json').exists()  # the stale result was removed
    assert messages[0].startswith('aw seed 3: training (') and 'FAILED' in messages[1]


def test_the_schedule_is_stretched_with_its_warm_up():
    from mmengine.config import Config
    cfg = Config(dict(train_cfg=dict(max_iters=540), param_scheduler=[
        dict(type='LinearLR', begin=0, end=50), dict(type='CosineAnnealingLR', begin=50, end=540)]))
    stretch_schedule(cfg, 1080)
    assert cfg.train_cfg.max_iters == 1080
    assert [(s.begin, s.end) for s in cfg.param_scheduler] == [(0, 100), (100, 1080)]
    stretch_schedule(cfg, 1)  # every scheduler keeps at least one iteration
    assert [(s.begin, s.end) for s in cfg.param_scheduler] == [(0, 1), (0, 1)]


def test_a_variant_reads_the_same_whichever_recipe_the_demo_config_ships(detection):
    study, base, _, _ = detection
    assert 'paramwise_cfg' not in base.optim_wrapper  # the configs ship mmdet's stock recipe
    plain = base
    base = copy.deepcopy(base)  # a user's config that opted into the x10 recipe
    base.optim_wrapper.paramwise_cfg = dict(
        custom_keys={'.attention.': dict(lr_mult=10.0, decay_mult=0.0)})
    for variant in ('stock', 'aw', 'aw_attn_lr10'):
        assert study.run_config(base, variant, 0).pretty_text == \
            study.run_config(plain, variant, 0).pretty_text
    assert 'paramwise_cfg' not in study.run_config(base, 'aw', 0).optim_wrapper
    lr10 = study.run_config(base, 'aw_attn_lr10', 0).optim_wrapper.paramwise_cfg
    assert lr10 == dict(custom_keys={'.attention.': dict(lr_mult=10.0, decay_mult=0.0)})
