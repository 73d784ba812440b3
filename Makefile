# nbaprops: `make demo` runs one real season end to end, `make test` runs the tests.
UV := ./scripts/uv
PYTEST_ARGS ?=
# --compile-bytecode: site-packages get .pyc once at install, so start-up stays fast even
# where PYTHONDONTWRITEBYTECODE is set (a project-wide uv setting would recompile on every `uv run`)
SYNC := $(UV) sync --frozen --quiet --compile-bytecode

.PHONY: demo test lint format bench clean

demo:            ## run the whole pipeline for one real season on the embedded DuckDB
	$(SYNC)
	$(UV) run --frozen nbaprops demo

test:            ## lint, then the whole test suite (reads ../shared)
	$(SYNC)
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
	$(SYNC)
	$(UV) run --frozen python benchmarks/run_all.py

clean:
	rm -rf nbaprops-data .pytest_cache .ruff_cache .mypy_cache
