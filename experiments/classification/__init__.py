"""Classification check of AW trained from scratch on rendered digits; importing it registers the
dataset, models, metric and hook (configs' ``custom_imports``; docs/classification_protocol.md)."""
from .data import DigitsClsDataset
from .metric import TopOneAccuracy, ValCurveHook
from .model import CifarAWResNet, CifarResNet, DigitsClassifier, DigitsClsPreprocessor

__all__ = ['CifarAWResNet', 'CifarResNet', 'DigitsClassifier', 'DigitsClsDataset',
           'DigitsClsPreprocessor', 'TopOneAccuracy', 'ValCurveHook']
