# Two commands set up a fresh machine: `make demo` (the main job) and `make test` (the suite).
VENV   := .venv
PYTHON := $(VENV)/bin/python
export PYTHONHASHSEED := 0

.PHONY: setup lint test test-fast demo benchmark evidence classification clean

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

evidence: setup
	$(PYTHON) tools/compare.py --out work_dirs/evidence

classification: setup
	$(PYTHON) tools/compare_classification.py --out work_dirs/classification --jobs 2

clean:
	rm -rf $(VENV) work_dirs data/aw_demo
