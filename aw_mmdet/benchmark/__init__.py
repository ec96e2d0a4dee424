"""Stock-vs-AW measurements behind tools/benchmark.py (timings are reported, never asserted)."""
