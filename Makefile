# The two commands of the README. Everything they need is set up here, on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

export DAGSTER_HOME ?= $(CURDIR)/data/dagster_home
export MARKETING_LANDING_DIR ?= $(CURDIR)/data/landing
export MARKETING_DUCKDB_PATH ?= $(CURDIR)/data/warehouse.duckdb

.PHONY: demo test venv clean-data

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

## make demo: install, run the main job on the embedded DuckDB, serve the UI on 127.0.0.1:3000
## make demo NO_UI=1: the same without the UI
demo: $(STAMP)
	$(BIN)/python -m marketing_assets.demo
ifndef NO_UI
	$(BIN)/dagster dev -h 127.0.0.1 -p 3000 -w workspace.yaml
endif

## make test: install or refresh, run the whole test suite
test: $(STAMP)
	$(BIN)/python -m pytest

## make clean-data: forget the landing files, the warehouse and the Dagster instance
clean-data:
	rm -rf data/landing data/warehouse.duckdb data/warehouse.duckdb.lock data/warehouse.duckdb.wal data/dagster_home
