# nbaprops: `make demo` runs one real season end to end, `make test` runs the tests.
UV := ./scripts/uv
PYTEST_ARGS ?=

.PHONY: demo test lint format bench clean

demo:            ## run the whole pipeline for one real season on the embedded DuckDB
	$(UV) sync --frozen --quiet
	$(UV) run --frozen nbaprops demo

test:            ## lint, then the whole test suite (reads ../shared)
	$(UV) sync --frozen --quiet
	$(UV) run --frozen ruff check src tests
	$(UV) run --frozen pytest -n 2 $(PYTEST_ARGS)

lint:            ## ruff + mypy
	$(UV) run --frozen ruff check src tests
	$(UV) run --frozen ruff format --check src tests
	$(UV) run --frozen mypy

format:
	$(UV) run --frozen ruff format src tests
	$(UV) run --frozen ruff check --fix src tests

bench:           ## benchmarks (printed tables, never asserts)
	$(UV) run --frozen python benchmarks/run_all.py

clean:
	rm -rf nbaprops-data .pytest_cache .ruff_cache .mypy_cache
