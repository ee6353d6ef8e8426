# TAPPaaS backup/DR/HA — developer entry points. `make help` lists them.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PULUMI_VERSION := 3.274.1
export TAPPAAS_PULUMI_VERSION := $(PULUMI_VERSION)

PREVIEW_OUT ?= preview.md

.PHONY: help setup venv engine unbound check test test-fast demo bench preview clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

setup: venv engine unbound  ## .venv; the Pulumi engine, language host and proxmoxve plugin (built or reused); Unbound

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@echo "[setup] 1/3 python virtualenv in $(VENV)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { echo "[setup] FAILED at step 'create virtualenv'"; exit 1; }
	@$(BIN)/python -m pip install --quiet --upgrade pip || { echo "[setup] FAILED at step 'upgrade pip'"; exit 1; }
	@$(BIN)/python -m pip install --quiet -e '.[dev]' || { echo "[setup] FAILED at step 'pip install -e .[dev]'"; exit 1; }
	@touch $@

engine:  ## a pulumi >= 3.272 with its Python language host (PATH, else built into ~/.cache/tappaas) and the proxmoxve plugin
	@echo "[setup] 2/3 pulumi engine, Python language host, proxmoxve plugin"
	@pulumi=$$(scripts/ensure-engine.sh) && scripts/ensure-proxmoxve-plugin.sh "$$pulumi" \
		&& echo "[setup] done: $$pulumi (for plain pulumi: export PATH=$$(dirname $$pulumi):\$$PATH, or eval \"\$$(.venv/bin/tappaas stack env)\")"

unbound:  ## install Debian's unbound for the resolver tests (apt-get, as root; fast when present)
	@echo "[setup] 3/3 unbound (resolver tests)"
	@scripts/ensure-unbound.sh

check: venv  ## ruff and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy tappaas providers lab tests benchmarks __main__.py

test: setup check  ## lint, type-check and run every test tier offline (lab + real engine)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: venv unbound  ## every tier but the engine's, for a quick loop
	$(BIN)/python -m pytest -m "not engine" $(PYTEST_ARGS)

demo: setup  ## start the lab, bring up the lab peer and site stacks with the real engine, print the protection summary
	$(BIN)/tappaas demo

preview: venv  ## PR preview: findings + planned changes of the stacks a change touches, as Markdown in $(PREVIEW_OUT)
	scripts/pr-preview.sh $(PREVIEW_OUT)

bench: venv  ## run the benchmark scripts (they print figures)
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b; done

clean:  ## remove the virtualenv and caches in the checkout (the engine cache in ~/.cache stays)
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis .lab .pulumi-state
