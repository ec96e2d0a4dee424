"""CocoDataset that refuses bad annotations instead of silently dropping them.

Stock CocoDataset skips annotations whose category is not among the config's classes and boxes of
zero or negative size, and only fails on a missing image when the pipeline reaches it. Here each
is a DatasetContentError naming the annotation file and the entry (annotation id, image id, file
name). The checks run while mmdet parses the file, so a large COCO json is not read twice.
"""
import math
import os.path as osp

from mmdet.datasets import CocoDataset
from mmdet.registry import DATASETS

from .checked_coco_api import CheckedCOCO
from .content_error import DatasetContentError


@DATASETS.register_module()
class CheckedCocoDataset(CocoDataset):
    """CocoDataset plus content checks.

    Args:
        allow_other_categories (bool): annotations of file categories that are not in the
            config's classes are dropped (training on a subset of classes) instead of an error.
        check_image_files (bool): every listed image must exist on disk (one stat per image).
    """

    COCOAPI = CheckedCOCO

    def __init__(self, *args, allow_other_categories=False, check_image_files=True, **kwargs):
        self.allow_other_categories = allow_other_categories
        self.check_image_files = check_image_files
        super().__init__(*args, **kwargs)

    def parse_data_info(self, raw_data_info):
        img = raw_data_info['raw_img_info']
        where = f'{self.ann_file}: image id {img["img_id"]} ({img["file_name"]})'
        if self.check_image_files:
            path = osp.join(self.data_prefix['img'], img['file_name'])
            if not osp.isfile(path):
                raise DatasetContentError(f'{where} is listed but not on disk: {path}')
        for ann in raw_data_info['raw_ann_info']:
            if not ann.get('ignore', False):
                self._check_annotation(ann, f'{where}, annotation id {ann["id"]}')
        return super().parse_data_info(raw_data_info)

    def _check_annotation(self, ann, where):
        bbox = ann['bbox']
        if (not isinstance(bbox, (list, tuple)) or len(bbox) != 4
                or not all(isinstance(v, (int, float)) and math.isfinite(v) for v in bbox)):
            raise DatasetContentError(f'{where}: bbox must be 4 finite numbers [x, y, w, h], '
                                      f'got {bbox!r}')
        if bbox[2] <= 0 or bbox[3] <= 0:
            raise DatasetContentError(f'{where}: bbox {bbox} has width or height <= 0')
        category = ann['category_id']
        if category in self.cat_ids:
            return
        if category not in self.coco.cats:
            raise DatasetContentError(f'{where}: category_id {category} is not in the file\'s '
                                      'categories')
        if not self.allow_other_categories:
            raise DatasetContentError(
                f'{where}: category_id {category} ({self.coco.cats[category]["name"]!r}) is not '
                f'one of the config\'s classes (dataset metainfo.classes); set '
                'allow_other_categories=True in the dataset config to train on a subset')
