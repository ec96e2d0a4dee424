"""Bad dataset content: each case is a DatasetContentError naming the file and the entry.

The reference for "good" is the unmodified generated dataset, which must load with every
annotation kept (so the checks do not reject valid data)."""
import json

import pytest
from mmdet.registry import DATASETS
from mmdet.utils import register_all_modules

import aw_mmdet  # noqa: F401
from aw_mmdet import DatasetContentError
from helpers import DEMO_CONFIG, make_tiny_data, run_tool, tiny_options

CLASSES = tuple(f'digit_{i}' for i in range(10))


@pytest.fixture(scope='module')
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp('data')
    make_tiny_data(root)
    register_all_modules()
    return root


def _build(root, ann_file='annotations/instances_val.json', classes=CLASSES, **kwargs):
    return DATASETS.build(dict(type='CheckedCocoDataset', data_root=str(root) + '/',
                               ann_file=ann_file, data_prefix=dict(img='val/'),
                               metainfo=dict(classes=classes), pipeline=[], **kwargs))


def _write_variant(root, tmp_path, edit):
    """A copy of the val annotations with ``edit(dict)`` applied; returns its path."""
    coco = json.loads((root / 'annotations' / 'instances_val.json').read_text())
    edit(coco)
    path = tmp_path / 'instances_bad.json'
    path.write_text(json.dumps(coco))
    return path


def test_valid_dataset_loads_every_annotation(data):
    coco = json.loads((data / 'annotations' / 'instances_val.json').read_text())
    dataset = _build(data)
    assert len(dataset) == len(coco['images'])
    instances = sum(len(dataset[i]['instances']) for i in range(len(dataset)))
    assert instances == len(coco['annotations'])
    # the training filter (images with boxes of the config's classes) keeps them all too
    assert len(_build(data, filter_cfg=dict(filter_empty_gt=True, min_size=4))) == len(dataset)


def test_invalid_json_names_file_line_and_column(data, tmp_path):
    path = tmp_path / 'broken.json'
    path.write_text('{"images": [\n  {"id": 1,}\n]}')
    with pytest.raises(DatasetContentError,
                       match=r'broken\.json: not valid JSON at line 2, column 12'):
        _build(data, ann_file=str(path))


def test_json_that_is_not_an_object_names_file(data, tmp_path):
    path = tmp_path / 'list.json'
    path.write_text('[1, 2]')
    with pytest.raises(DatasetContentError, match=r'list\.json: .*JSON object'):
        _build(data, ann_file=str(path))


def test_entry_lacking_a_key_names_section_and_index(data, tmp_path):
    path = _write_variant(data, tmp_path, lambda c: c['images'][2].pop('file_name'))
    with pytest.raises(DatasetContentError, match=r"instances_bad\.json: images\[2\] \(id 3\) "
                                                  r"lacks key\(s\) \['file_name'\]"):
        _build(data, ann_file=str(path))


def test_annotation_for_unknown_image_names_annotation(data, tmp_path):
    def edit(coco):
        coco['annotations'][0]['image_id'] = 999
    path = _write_variant(data, tmp_path, edit)
    with pytest.raises(DatasetContentError, match=r'annotation id 1 refers to image id 999'):
        _build(data, ann_file=str(path))


def test_category_outside_config_classes_names_annotation(data, tmp_path):
    # the file knows digit_0..digit_9; the config asks for digit_0..digit_8 only
    def edit(coco):
        coco['annotations'][0]['category_id'] = 10  # digit_9
    path = _write_variant(data, tmp_path, edit)
    image_id = json.loads(path.read_text())['annotations'][0]['image_id']
    with pytest.raises(DatasetContentError,
                       match=rf"image id {image_id} .*annotation id 1: "
                             r"category_id 10 \('digit_9'\) is not one of the config's classes"):
        _build(data, ann_file=str(path), classes=CLASSES[:9])
    # opting in to a class subset drops them, as stock CocoDataset does
    subset = _build(data, ann_file=str(path), classes=CLASSES[:9], allow_other_categories=True)
    assert len(subset) == len(json.loads(path.read_text())['images'])


def test_category_id_unknown_to_the_file_names_annotation(data, tmp_path):
    def edit(coco):
        coco['annotations'][1]['category_id'] = 77
    path = _write_variant(data, tmp_path, edit)
    with pytest.raises(DatasetContentError, match=r"annotation id 2: category_id 77 is not in the "
                                                  r"file's categories"):
        _build(data, ann_file=str(path), allow_other_categories=True)


def test_config_class_missing_from_file_names_the_class(data):
    # stock CocoDataset would silently give every later class a shifted label
    with pytest.raises(DatasetContentError, match=r"instances_val\.json: class name\(s\) "
                                                  r"\['digit_x'\] from the config"):
        _build(data, classes=('digit_0', 'digit_x', 'digit_1'))


@pytest.mark.parametrize('bbox', [[10, 10, 0, 5], [10, 10, 5, -3], [10, 10, -1, -1]])
def test_box_of_zero_or_negative_size_names_annotation_and_image(data, tmp_path, bbox):
    def edit(coco):
        coco['annotations'][2]['bbox'] = bbox
    path = _write_variant(data, tmp_path, edit)
    image_id = json.loads(path.read_text())['annotations'][2]['image_id']
    with pytest.raises(DatasetContentError,
                       match=rf'image id {image_id} \(0*{image_id}\.jpg\), annotation id 3: '
                             r'bbox .* has width or height <= 0'):
        _build(data, ann_file=str(path))


def test_box_that_is_not_four_numbers_names_annotation(data, tmp_path):
    def edit(coco):
        coco['annotations'][0]['bbox'] = [1, 2, 3]
    path = _write_variant(data, tmp_path, edit)
    with pytest.raises(DatasetContentError,
                       match=r'annotation id 1: bbox must be 4 finite numbers'):
        _build(data, ann_file=str(path))


def test_image_listed_but_missing_on_disk_names_image(data, tmp_path):
    def edit(coco):
        coco['images'][1]['file_name'] = 'gone.jpg'
    path = _write_variant(data, tmp_path, edit)
    with pytest.raises(
            DatasetContentError,
            match=r'image id 2 \(gone\.jpg\) is listed but not on disk: .*val/gone\.jpg'):
        _build(data, ann_file=str(path))


def test_train_tool_stops_with_one_line_naming_the_entry(data, tmp_path):
    """Through tools/train.py (which swaps CocoDataset for CheckedCocoDataset): no traceback."""
    coco = json.loads((data / 'annotations' / 'instances_train.json').read_text())
    coco['annotations'][0]['bbox'][3] = 0
    bad_root = tmp_path / 'data'
    (bad_root / 'annotations').mkdir(parents=True)
    (bad_root / 'annotations' / 'instances_train.json').write_text(json.dumps(coco))
    (bad_root / 'annotations' / 'instances_val.json').write_text(
        (data / 'annotations' / 'instances_val.json').read_text())
    for split in ('train', 'val'):
        (bad_root / split).symlink_to(data / split)
    proc = run_tool('train.py', DEMO_CONFIG, '--work-dir', tmp_path / 'w', '--cfg-options',
                    *tiny_options(bad_root), check=False)
    assert proc.returncode != 0
    assert 'Traceback' not in proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith('error: ') and 'instances_train.json' in last
    assert 'annotation id 1' in last and 'width or height <= 0' in last
