"""The detection study behind tools/compare.py (study.py) and the AttentionDynamicsHook that
``--dynamics`` adds to its runs (attention_dynamics.py)."""
