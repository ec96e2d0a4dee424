"""Classification check of AW trained from scratch: rendered digits, a small ResNet classifier
built from the registry's ResNet / AWResNet, and the study behind tools/compare_classification.py
(study.py). Importing it registers the dataset, models, metric and hook in
mmdet's registries (configs name it in ``custom_imports``). See docs/classification_protocol.md.
"""
from .data import DigitsClsDataset
from .metric import TopOneAccuracy, ValCurveHook
from .model import CifarAWResNet, CifarResNet, DigitsClassifier, DigitsClsPreprocessor

__all__ = ['CifarAWResNet', 'CifarResNet', 'DigitsClassifier', 'DigitsClsDataset',
           'DigitsClsPreprocessor', 'TopOneAccuracy', 'ValCurveHook']
