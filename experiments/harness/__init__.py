"""One comparison harness for every study (tools/compare*.py): variants are config transforms,
runs are cached by their config text; protocol v3 adds the ablations (ablation.py), the verdicts
(verdict.py) and the hook that lets a cut run resume as the uncut one (validation_rng_hook.py)."""
from .compare import main
from .study import Study

__all__ = ['Study', 'main']
