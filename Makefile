# careleaf: `make` sets everything up and builds every leaflet; `make test` runs the tests.
SHELL := /bin/bash
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready
# DAISY Ace (npm) for `careleaf check --ace`: its own stamp, redone when the lock changes.
ACE_READY := scripts/ace/node_modules/.ready

.PHONY: all setup build check publish register test lint messages bench clean distclean

# The whole pipeline: build, check (which records what it passed), publish what passed,
# and the register. Each step runs even when an earlier one found problems: the publish
# gate holds back only the leaflets that failed, and the site must not go on offering
# what the check now refuses. The exit status is 1 if any step failed.
all: setup
	@status=0; \
	  $(BIN)/careleaf build || status=1; \
	  $(BIN)/careleaf check --epubcheck --ace || status=1; \
	  $(BIN)/careleaf publish || status=1; \
	  $(BIN)/careleaf register || status=1; \
	  exit $$status

# The environment: system packages, then a virtualenv with exact versions.
$(READY): pyproject.toml scripts/constraints.txt scripts/system-deps.sh
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "careleaf needs Python 3.11 or newer ($(PYTHON) is older)"; exit 1; }
	@PYTHON=$(PYTHON) scripts/system-deps.sh
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
	  -c scripts/constraints.txt -e '.[dev]'
	@touch $@

# Puppeteer and Electron would download browsers from the internet on install; Ace runs
# in the system's Chromium instead (scripts/ace/chromium), so skip both and every
# install script. After system-deps.sh (order-only), which brings Node.js and Chromium.
$(ACE_READY): scripts/ace/package.json scripts/ace/package-lock.json | $(READY)
	PUPPETEER_SKIP_DOWNLOAD=1 PUPPETEER_SKIP_CHROMIUM_DOWNLOAD=1 ELECTRON_SKIP_BINARY_DOWNLOAD=1 \
	  npm ci --prefix scripts/ace --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $@

setup: $(READY) $(ACE_READY)

build: $(READY) $(ACE_READY)
	$(BIN)/careleaf build

check: $(READY) $(ACE_READY)
	$(BIN)/careleaf check --epubcheck --ace

# The download site of what the last check passed (approved, not overdue, unchanged).
publish: $(READY)
	$(BIN)/careleaf publish

# build/reports/register.csv and register.html: every leaflet's document control.
register: $(READY)
	$(BIN)/careleaf register

lint: $(READY)
	$(BIN)/ruff check scripts tests
	$(BIN)/mypy

test: $(READY) $(ACE_READY) lint
	$(BIN)/pytest

# The template of the layouts' interface words, layouts/messages/careleaf.pot, extracted
# again from the templates and code; then what each catalogue (<lang>.po) lacks.
messages: $(READY)
	$(BIN)/careleaf messages

# Benchmarks print ratios against baselines measured in the same run; BENCH_ARGS=--n 100,
# or BENCH_ARGS="--part site --site-n 200" for the site and its search index alone.
bench: $(READY)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
	  -c scripts/constraints.txt -e '.[dev,bench]'
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)

clean:
	rm -rf build

distclean: clean
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache scripts/ace/node_modules
