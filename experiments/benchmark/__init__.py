"""The benchmark behind tools/benchmark.py: stock, AW and peers per case; timings never asserted."""
