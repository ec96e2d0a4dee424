"""mmdet's COCO API, but a broken annotation file is a DatasetContentError naming the file.

pycocotools raises a bare JSONDecodeError (no file name), an AssertionError for a JSON that is not
an object, or a KeyError from deep inside ``createIndex``; it also silently drops class names it
does not know, which shifts every label. The JSON is parsed once, by pycocotools, as before.
"""
import json

from mmdet.datasets.api_wrappers import COCO

from .content_error import DatasetContentError

REQUIRED_KEYS = dict(images=('id', 'file_name', 'width', 'height'),
                     annotations=('id', 'image_id', 'category_id', 'bbox'),
                     categories=('id', 'name'))


def _check_structure(path, dataset):
    for section, keys in REQUIRED_KEYS.items():
        entries = dataset.get(section, [])
        if not isinstance(entries, list):
            raise DatasetContentError(f'{path}: "{section}" must be a list')
        for index, entry in enumerate(entries):
            missing = [k for k in keys if not isinstance(entry, dict) or k not in entry]
            if missing:
                entry_id = entry.get('id') if isinstance(entry, dict) else None
                raise DatasetContentError(f'{path}: {section}[{index}] (id {entry_id}) lacks '
                                          f'key(s) {missing}')


class CheckedCOCO(COCO):
    """``COCO(path)`` that names ``path`` (and line/column, entry) in every content error."""

    def __init__(self, annotation_file=None):
        self.path = annotation_file
        try:
            super().__init__(annotation_file)
        except json.JSONDecodeError as err:
            raise DatasetContentError(f'{annotation_file}: not valid JSON at line {err.lineno}, '
                                      f'column {err.colno}: {err.msg}') from None
        except UnicodeDecodeError as err:
            raise DatasetContentError(f'{annotation_file}: not a UTF-8 text (JSON) file: '
                                      f'{err.reason} at byte {err.start}') from None
        except AssertionError:  # pycocotools: "annotation file format <type> not supported"
            raise DatasetContentError(f'{annotation_file}: a COCO annotation file must hold a JSON '
                                      'object') from None

    def createIndex(self):  # noqa: N802 (pycocotools' name)
        """Check the entries first: pycocotools would fail with a bare KeyError or silently
        drop annotations of unknown images."""
        if self.dataset:
            _check_structure(self.path, self.dataset)
        super().createIndex()
        for ann in self.dataset.get('annotations', []):
            if ann['image_id'] not in self.imgs:
                raise DatasetContentError(f'{self.path}: annotation id {ann["id"]} refers to '
                                          f'image id {ann["image_id"]}, which is not in "images"')

    def get_cat_ids(self, cat_names=[], sup_names=[], cat_ids=[]):  # noqa: B006 (mmdet's API)
        """Every requested class name must be a category of the file, or labels would shift."""
        known = [c['name'] for c in self.dataset.get('categories', [])]
        missing = [n for n in cat_names if n not in known]
        if missing:
            raise DatasetContentError(
                f'{self.path}: class name(s) {missing} from the config (dataset metainfo.classes) '
                f'are not categories of this file; its categories are {known[:20]}'
                f'{" ..." if len(known) > 20 else ""}')
        return super().get_cat_ids(cat_names=cat_names, sup_names=sup_names, cat_ids=cat_ids)
