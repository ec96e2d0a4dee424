from .digits_dataset import CLASSES, make_demo_data

__all__ = ['CLASSES', 'make_demo_data']
