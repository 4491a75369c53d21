# Two commands do all the set-up on a fresh machine (Python 3.11, pip, make):
#   make demo   generate the sample firm and run the nightly pipeline on it
#   make test   run the whole test suite
# Developer loop: make lint (ruff + sqlfluff on the dbt models), make test-fast (no end-to-end builds)
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
export PATH := $(BIN):$(PATH)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DAGSTER_DISABLE_TELEMETRY := 1
export GX_ANALYTICS_ENABLED := false

DEMO_DIR ?= demo
SCALE ?= s
SEED ?= 42

.PHONY: demo test test-fast install lint clean manifest

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing Throughline and its dependencies into $(VENV) (first run takes a few minutes)..."
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --quiet -e '.[dev,spark]'
	@touch $@

install: $(VENV)/.installed

manifest: install
	@$(BIN)/throughline dbt-parse

demo: install
	@$(BIN)/throughline demo --scale $(SCALE) --seed $(SEED) --dir $(DEMO_DIR)

test: install
	@$(BIN)/python -m pytest -n auto --dist loadgroup --no-loadscope-reorder -q --durations=20

# Everything but the tests marked `slow` (those that build a warehouse with dbt): a couple of minutes.
test-fast: install
	@$(BIN)/python -m pytest -n auto -q -m "not slow"

# ruff (lint and format) on the Python, sqlfluff on the dbt models (.sqlfluff says which rules and why).
lint: install
	@$(BIN)/ruff check .
	@$(BIN)/ruff format --check .
	@$(BIN)/sqlfluff lint dbt_project --processes 0 --disable-progress-bar --nocolor

clean:
	rm -rf $(DEMO_DIR) dbt_project/target dbt_project/logs .pytest_cache
