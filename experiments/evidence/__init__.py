"""The detection study behind tools/compare.py (study.py) and what the learning-dynamics evidence
adds: AttentionDynamicsHook, the R101 run, BN calibration and the recipe choice as code."""
