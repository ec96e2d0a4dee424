"""The evidence run behind tools/compare.py: train stock and AW variants of the demo detector on
the same data, schedule and seeds, and report whether AW helps beyond the spread over seeds."""
from .report import summarize
from .run_config import Schedule, run_config
from .variants import VARIANTS, apply_variant

__all__ = ['Schedule', 'VARIANTS', 'apply_variant', 'run_config', 'summarize']
