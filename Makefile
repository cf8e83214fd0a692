# The README's two commands: `make serve` and `make test`. Each creates .venv when missing and
# installs what it needs once per change of pyproject.toml or constraints.txt (stamp files inside
# .venv). constraints.txt pins a known-good set so a fresh machine resolves in one pass.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
MODEL_DIR ?= layers/model
HOST ?= 127.0.0.1
PORT ?= 8000
TRAIN_CMD := python -m training.job --config training/configs/goemotions.yaml

.PHONY: serve test lint typecheck unit install install-dev bench bulk-demo

$(PY):
	$(PYTHON) -c 'import sys; sys.exit("Python >= 3.11 is required, found " + sys.version) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.stamp-runtime: pyproject.toml constraints.txt | $(PY)
	$(PY) -m pip install -c constraints.txt -e .
	touch $@

# train is included because the training code is linted, type-checked and unit-tested too.
$(VENV)/.stamp-dev: pyproject.toml constraints.txt | $(PY)
	$(PY) -m pip install -c constraints.txt -e '.[dev,train,bench]'
	touch $@ $(VENV)/.stamp-runtime

install: $(VENV)/.stamp-runtime
install-dev: $(VENV)/.stamp-dev

serve: $(VENV)/.stamp-runtime
	@if [ ! -f "$(MODEL_DIR)/model.json" ]; then \
	  echo "make serve: no model bundle - $(MODEL_DIR)/model.json is missing." >&2; \
	  echo "Build one with the training job, which writes layers/model/:" >&2; \
	  echo "    $(PY) -m pip install -e '.[train]' && $(VENV)/bin/$(TRAIN_CMD)" >&2; \
	  echo "or point MODEL_DIR at an existing bundle: make serve MODEL_DIR=/path/to/bundle" >&2; \
	  exit 1; \
	fi
	MODEL_DIR="$(abspath $(MODEL_DIR))" $(PY) -m uvicorn functions.api.app:app --host $(HOST) --port $(PORT)

lint: $(VENV)/.stamp-dev
	$(VENV)/bin/ruff check .

typecheck: $(VENV)/.stamp-dev
	$(VENV)/bin/mypy layers functions

unit: $(VENV)/.stamp-dev
	$(PY) -m pytest

test: lint typecheck unit

# The bulk path on this machine (moto server, real API app and bulk handler): see README "Bulk jobs".
bulk-demo: $(VENV)/.stamp-dev
	@if [ -z "$(INPUT)" ] || [ -z "$(OUTPUT)" ]; then \
	  echo "usage: make bulk-demo INPUT=texts.csv OUTPUT=results.jsonl  (CSV with a text column, or JSONL {id, text})" >&2; \
	  exit 2; \
	fi
	MODEL_DIR="$(abspath $(MODEL_DIR))" $(PY) -m devtools.bulk_demo "$(INPUT)" "$(OUTPUT)"

# Benchmarks (issue 5, bench/): every configuration side by side, < 20 min on 2 cores; needs the
# training job's outputs and the released bundle. `make bench BENCH_ARGS=--quick` proves the harness.
bench: $(VENV)/.stamp-dev
	$(PY) -m bench $(BENCH_ARGS)
