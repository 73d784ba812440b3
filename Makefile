# nbaprops: `make demo` runs one real season end to end, `make test` runs the tests.
UV := ./scripts/uv
PYTEST_ARGS ?=
DEMO_ARGS ?=
# --compile-bytecode: site-packages get .pyc once at install, so start-up stays fast even
# where PYTHONDONTWRITEBYTECODE is set (a project-wide uv setting would recompile on every `uv run`)
SYNC := $(UV) sync --frozen --quiet --compile-bytecode
RUN := $(UV) run --frozen

.DEFAULT_GOAL := help
.PHONY: help demo demo-bigquery test test-fast test-remote lint format bench clean

help:            ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z][a-z-]*:.*## / {printf "  make %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

demo:            ## run the whole pipeline for one real season on the embedded DuckDB
	$(SYNC)
	$(RUN) nbaprops demo

demo-bigquery:   ## the demo season on DuckDB and on the local BigQuery + GCS emulators: same rows and grades
	$(SYNC)
	bash scripts/emulators.sh
	$(RUN) python benchmarks/demo_bigquery.py $(DEMO_ARGS)

test: lint       ## lint (ruff, ruff format --check, mypy), then the whole test suite (reads ../shared)
	$(RUN) pytest -n 2 -m "not remote" $(PYTEST_ARGS)

test-fast: lint  ## lint, then the tests not marked slow (no whole-season or month-long builds)
	$(RUN) pytest -n 2 -m "not slow and not remote" $(PYTEST_ARGS)

test-remote:     ## only the tests marked remote (need BigQuery/GCS credentials); none is no failure
	$(SYNC)
	$(RUN) pytest -m remote $(PYTEST_ARGS) || [ $$? -eq 5 ]

lint:            ## ruff check, ruff format --check, mypy (strict)
	$(SYNC)
	$(RUN) ruff check src tests
	$(RUN) ruff format --check src tests
	$(RUN) mypy

format:          ## apply ruff format and ruff's safe fixes
	$(RUN) ruff format src tests
	$(RUN) ruff check --fix src tests

bench:           ## benchmarks (printed tables, never asserts)
	$(SYNC)
	$(RUN) python benchmarks/run_all.py

clean:           ## remove the default data home and the tool caches
	rm -rf nbaprops-data .pytest_cache .ruff_cache .mypy_cache
