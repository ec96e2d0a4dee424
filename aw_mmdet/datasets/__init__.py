"""Datasets that check their content (registered in mmdet's DATASETS on import)."""
from .checked_coco import CheckedCocoDataset
from .checked_coco_api import CheckedCOCO
from .content_error import DatasetContentError

__all__ = ['CheckedCOCO', 'CheckedCocoDataset', 'DatasetContentError']
