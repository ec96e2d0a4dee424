"""One comparison harness for every study: variants as config transforms, runs cached by their
config text, paired statistics over seeds, one report, one plot and one attention summary.
tools/compare.py (detection) and tools/compare_classification.py are its front ends.

Protocol v3 (docs/evidence_protocol.md section 5) adds the phases (``--phase``), the attention
ablations (ablation.py), the schedule's doubling rule (calibration.py), the verdicts over both
studies (verdict.py) and the hook that lets a cut run resume as the uncut one went on
(validation_rng_hook.py)."""
from .compare import main
from .study import Study

__all__ = ['Study', 'main']
