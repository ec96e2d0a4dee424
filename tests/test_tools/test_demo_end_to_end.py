"""The demo path at test size: generate data, train with tools/train.py, evaluate with
tools/test.py (CocoMetric), and reload the checkpoint into a fresh model with identical
predictions."""
import json
import math
import pickle
import re

import pytest
import torch
from pycocotools.coco import COCO

import aw_mmdet  # noqa: F401
from experiments.demo import CLASSES
from helpers import (
    DEMO_CONFIG,
    load_config,
    load_tool,
    make_tiny_data,
    run_tool,
    tiny_options,
    tiny_settings,
)


def test_generated_annotations_load_in_pycocotools_and_are_sane(tmp_path):
    paths = make_tiny_data(tmp_path, num_train=12, num_val=8)
    for split, path in paths.items():
        coco = COCO(path)
        assert coco.getCatIds() == list(range(1, 11))
        for ann in coco.dataset['annotations']:
            img = coco.imgs[ann['image_id']]
            x, y, w, h = ann['bbox']
            assert w > 0 and h > 0 and x >= 0 and y >= 0, ann
            assert x + w <= img['width'] and y + h <= img['height'], ann
        assert (tmp_path / split / coco.imgs[1]['file_name']).is_file()


def test_default_demo_data_has_every_class_in_both_splits(tmp_path):
    make_demo_data = load_tool('make_demo_data.py').make_demo_data
    paths = make_demo_data(str(tmp_path), num_train=300, num_val=100, seed=0)
    for path in paths.values():
        cats = {a['category_id'] for a in json.load(open(path))['annotations']}
        assert cats == set(range(1, len(CLASSES) + 1))


def test_generator_is_deterministic_and_reuses_existing_data(tmp_path):
    a = make_tiny_data(tmp_path / 'a', seed=3)
    b = make_tiny_data(tmp_path / 'b', seed=3)
    assert open(a['train']).read() == open(b['train']).read()
    assert (tmp_path / 'a' / 'train' / '000001.jpg').read_bytes() == \
        (tmp_path / 'b' / 'train' / '000001.jpg').read_bytes()
    stamp = (tmp_path / 'a' / 'annotations' / 'instances_train.json').stat().st_mtime_ns
    make_tiny_data(tmp_path / 'a', seed=3)
    assert (tmp_path / 'a' / 'annotations' / 'instances_train.json').stat().st_mtime_ns == stamp


@pytest.mark.slow
def test_train_evaluate_and_reload_gives_identical_predictions(tmp_path):
    data, work = tmp_path / 'data', tmp_path / 'work'
    make_tiny_data(data)
    opts = tiny_options(data, max_iters=3, interval=3)
    run_tool('train.py', DEMO_CONFIG, '--work-dir', work, '--cfg-options', *opts)
    ckpt = work / 'iter_3.pth'
    proc = run_tool('test.py', DEMO_CONFIG, ckpt, '--work-dir', work, '--out', tmp_path / 'p.pkl',
                    '--show-dir', tmp_path / 'vis', '--cfg-options', *opts)
    m = re.search(r'coco/bbox_mAP: (-?[\d.]+)\s+coco/bbox_mAP_50: (-?[\d.]+)',
                  proc.stdout + proc.stderr)
    assert m and all(math.isfinite(float(v)) for v in m.groups())
    assert len(list((tmp_path / 'vis').glob('*.jpg'))) == 4

    from mmdet.apis import inference_detector, init_detector
    cfg = load_config(DEMO_CONFIG)
    cfg.merge_from_dict(tiny_settings(data, max_iters=3, interval=3))
    model = init_detector(cfg, str(ckpt), device='cpu')
    dumped = pickle.load(open(tmp_path / 'p.pkl', 'rb'))
    assert len(dumped) == 4
    for result in dumped:
        fresh = inference_detector(model, result['img_path']).pred_instances
        ref = result['pred_instances']
        torch.testing.assert_close(fresh.bboxes, ref['bboxes'], rtol=1e-4, atol=1e-3)
        torch.testing.assert_close(fresh.scores, ref['scores'], rtol=1e-4, atol=1e-5)
        assert torch.equal(fresh.labels, ref['labels'])
