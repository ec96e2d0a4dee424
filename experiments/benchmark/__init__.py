"""The benchmark behind tools/benchmark.py: stock, AW and AW's peers as variants of each case,
measured by one pipeline (timings are reported, never asserted)."""
