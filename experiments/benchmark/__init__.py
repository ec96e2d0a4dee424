"""Stock-vs-AW measurements behind tools/benchmark.py (timings are reported, never asserted), and
FLOP counting that includes AWConv2d's elementwise work (flops.py)."""
