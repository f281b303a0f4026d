# careleaf: `make` sets everything up and builds every leaflet; `make test` runs the tests.
SHELL := /bin/bash
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready

.PHONY: all setup build check test lint bench clean distclean

all: build check

# The environment: system packages, then a virtualenv with exact versions.
$(READY): pyproject.toml scripts/constraints.txt scripts/system-deps.sh
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "careleaf needs Python 3.11 or newer ($(PYTHON) is older)"; exit 1; }
	@PYTHON=$(PYTHON) scripts/system-deps.sh
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
	  -c scripts/constraints.txt -e '.[dev]'
	@touch $@

setup: $(READY)

build: $(READY)
	$(BIN)/careleaf build

check: $(READY)
	$(BIN)/careleaf check --epubcheck

lint: $(READY)
	$(BIN)/ruff check scripts tests
	$(BIN)/mypy

test: $(READY) lint
	$(BIN)/pytest

# Benchmarks print ratios against baselines measured in the same run; BENCH_ARGS=--n 100.
bench: $(READY)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
	  -c scripts/constraints.txt -e '.[dev,bench]'
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)

clean:
	rm -rf build

distclean: clean
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
