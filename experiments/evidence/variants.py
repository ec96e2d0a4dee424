"""The detection variants by name for code that changes a demo config in place (the small-map
benchmark); they are defined, as config transforms, in study.py."""
from .study import DetectionStudy

apply_variant = DetectionStudy().apply
