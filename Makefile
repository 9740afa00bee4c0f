# The two commands of the README. Everything they need is set up here, on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

export DAGSTER_HOME ?= $(CURDIR)/data/dagster_home
export MARKETING_LANDING_DIR ?= $(CURDIR)/data/landing
export MARKETING_DUCKDB_PATH ?= $(CURDIR)/data/warehouse.duckdb

.PHONY: demo test test-full bench venv clean-data

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

# pytest $(1); its exit 5 ("no tests collected") is a failure that says so, never a silent pass
define pytest
	$(BIN)/python -m pytest $(1); status=$$?; \
	if [ $$status -eq 5 ]; then echo "make $@: pytest collected no test" >&2; exit 1; fi; \
	exit $$status
endef

## make test: install or refresh, run the fast suite (everything but the `full` suites)
test: $(STAMP)
	$(call pytest,-m "not full")

## make test-full: the slow suites (kill matrix, re-run identity, webserver on 127.0.0.1,
## GraphQL acceptance, headless-Chromium screenshots, security); needs `chromium` on PATH.
## Two workers: the kill matrix (xdist group "kill") on one, the other suites on the other.
test-full: $(STAMP)
	$(call pytest,-m full --dist loadgroup -rA)

## make bench: print the figures of every demo row of the benchmark (temporary folders;
## SCALE=large adds the large day; ROWS="demo ods" picks rows); see marketing_assets/bench.py
ROWS ?= all
bench: $(STAMP)
	$(BIN)/python -m marketing_assets.bench $(ROWS)

## make clean-data: forget the landing files, the warehouse and the Dagster instance
clean-data:
	rm -rf data/landing data/warehouse.duckdb data/warehouse.duckdb.lock data/warehouse.duckdb.wal data/dagster_home
