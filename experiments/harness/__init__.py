"""One comparison harness for every study, behind tools/compare.py and compare_classification.py.

Variants are config transforms and runs are cached by their config text. Protocol v3
(docs/evidence_protocol.md section 5) adds the attention ablations (ablation.py), the verdicts
(verdict.py) and the hook that lets a cut run resume as the uncut one went on
(validation_rng_hook.py).
"""
from .compare import main
from .study import Study

__all__ = ['Study', 'main']
