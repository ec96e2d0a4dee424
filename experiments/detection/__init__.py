"""The detection study behind tools/compare.py (study.py)."""
