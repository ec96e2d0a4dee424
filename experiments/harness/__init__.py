"""One comparison harness for every study: variants as config transforms, runs cached by their
config text, paired statistics over seeds, one report, one plot and one attention summary.
tools/compare.py (detection) and tools/compare_classification.py are its front ends."""
from .compare import main
from .study import Study

__all__ = ['Study', 'main']
