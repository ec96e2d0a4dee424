# Two commands set up a fresh machine: `make demo` (the main job) and `make test` (the suite).
VENV   := .venv
PYTHON := $(VENV)/bin/python

.PHONY: setup lint test test-fast demo benchmark evidence evidence-quick clean \
	v3-final v3-verdict gpu-check gpu-rehearsal

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

# The comparisons README.md quotes (docs/evidence.md): protocol v3's final runs of both studies
# and the verdict. Its runs are committed under results/v3, so in a clone this reads them back and
# rewrites the reports (under a minute); from nothing it trains 64 runs, two at a time: about 19 h
# on 2 CPU cores.
evidence: setup
	$(MAKE) v3-final STUDY=classification
	$(MAKE) v3-final STUDY=detection
	$(MAKE) v3-verdict

# A first look: the same pipeline and report, stock and aw x 2 seeds x 1 iteration (~3 min).
evidence-quick: setup
	$(PYTHON) tools/compare.py --quick --out work_dirs/evidence_quick --jobs 2

# on a machine with CUDA: tools/gpu_check.sh (prepare here, setup and check there); on the CPU,
# the same steps at small sizes so its first GPU run does not fail on a typo (~20 min on 2 cores)
gpu-check:
	tools/gpu_check.sh check work_dirs/gpu_check

gpu-rehearsal: setup
	PYTHON=$(PYTHON) tools/gpu_check.sh check --cpu work_dirs/gpu_rehearsal

# Protocol v3's final runs (docs/evidence_protocol.md section 5) and its verdict. Runs are cached
# by their config text and a cut run resumes from its last checkpoint, so a step can be run again
# at any point. Everything but the runs' logs and checkpoints is committed under results/v3/
# (.gitignore), so a finished run stays cached in any clone. STUDY is detection or classification;
# ITERS=... and N=... run another schedule or seed count. The calibration and pilot that chose the
# schedules and seed counts ran with the code of commit 74a9f57 (docs/evidence.md).
V3 := results/v3
STUDY ?= detection
V3_TOOL_detection := tools/compare.py
V3_TOOL_classification := tools/compare_classification.py
V3_TOOL = $(or $(V3_TOOL_$(STUDY)),$(error STUDY must be detection or classification))
V3_ITERS = $(if $(ITERS),--iters $(ITERS))

v3-final: setup
	$(PYTHON) $(V3_TOOL) $(V3_ITERS) $(if $(N),--seeds $$(seq 0 $$(($(N) - 1)))) \
		--out $(V3)/$(STUDY)/final --jobs 2

v3-verdict: setup
	$(PYTHON) -m experiments.harness.verdict $(V3)/detection/final/results.json \
		$(V3)/classification/final/results.json --out $(V3)/verdict.json

clean:
	rm -rf $(VENV) work_dirs data/aw_demo
