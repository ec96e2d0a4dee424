# Two commands set up a fresh machine: `make demo` (the main job) and `make test` (the suite).
VENV   := .venv
PYTHON := $(VENV)/bin/python

.PHONY: setup lint test test-fast demo benchmark evidence evidence-quick classification clean

setup:
	@bash scripts/setup.sh

# ruff.toml: pyflakes, pycodestyle, import order, line length 100, over the whole repository
lint: setup
	$(VENV)/bin/ruff check .

test: setup lint
	$(PYTHON) -m pytest tests

test-fast: setup lint
	$(PYTHON) -m pytest tests -m "not slow"

demo: setup
	$(PYTHON) tools/demo.py

benchmark: setup
	$(PYTHON) tools/benchmark.py --out work_dirs/benchmark

# The comparison README.md quotes (docs/evidence.md): stock, aw, aw_attn_lr10 x seeds 0-4 x 1080
# iterations, two runs at a time: about 1.75 h on 2 CPU cores; finished runs are cached.
evidence: setup
	$(PYTHON) tools/compare.py --out work_dirs/evidence_long --jobs 2

# A first look: the same pipeline and report, 2 variants x 2 seeds x 1 iteration (~3 min).
evidence-quick: setup
	$(PYTHON) tools/compare.py --quick --out work_dirs/evidence_quick --jobs 2

classification: setup
	$(PYTHON) tools/compare_classification.py --out work_dirs/classification --jobs 2

# on a machine with CUDA: tools/gpu_check.sh (prepare here, setup and check there); on the CPU,
# the same steps at small sizes so its first GPU run does not fail on a typo (~20 min on 2 cores)
gpu-check:
	tools/gpu_check.sh check work_dirs/gpu_check

gpu-rehearsal: setup
	PYTHON=$(PYTHON) tools/gpu_check.sh check --cpu work_dirs/gpu_rehearsal

clean:
	rm -rf $(VENV) work_dirs data/aw_demo
