"""Every SQL string the product runs transpiles from DuckDB to BigQuery with sqlglot and parses back.

Covered: the SQL models and audits under ``src/nbaprops/pipeline`` and every ``UPPER_CASE``
string constant of the modules in ``nbaprops.storage.queries`` (see that package's docstring).
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest
import sqlglot
from sqlglot import ErrorLevel

import nbaprops.storage.queries as queries

PIPELINE = Path(__file__).resolve().parents[1] / "src" / "nbaprops" / "pipeline"
MODELS = sorted(PIPELINE.rglob("*.sql"))
PLACEHOLDERS = {"table": "some_table", "column": "game_date"}


def _query_constants() -> list[tuple[str, str]]:
    found = []
    for info in pkgutil.iter_modules(queries.__path__):
        mod = importlib.import_module(f"{queries.__name__}.{info.name}")
        for name, value in vars(mod).items():
            if name.isupper() and isinstance(value, str):
                found.append((f"{info.name}.{name}", value.format(**PLACEHOLDERS)))
    return sorted(found)


QUERIES = _query_constants()


def _transpiles(sql: str) -> list[str]:
    out = sqlglot.transpile(sql, read="duckdb", write="bigquery", unsupported_level=ErrorLevel.RAISE)
    for stmt in out:
        sqlglot.parse_one(stmt, read="bigquery")  # and the BigQuery text parses back
    return out


def test_models_are_found() -> None:
    names = {p.stem for p in MODELS}
    assert {"player_game_summary", "ml_feature_store", "player_daily_cache"} <= names


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.relative_to(PIPELINE).as_posix())
def test_model_transpiles_to_bigquery(path: Path) -> None:
    out = _transpiles(path.read_text())
    assert len(out) == 1 and out[0].upper().lstrip().startswith(("WITH", "SELECT", "/*"))


@pytest.mark.parametrize(("name", "sql"), QUERIES, ids=[n for n, _ in QUERIES])
def test_query_transpiles_to_bigquery(name: str, sql: str) -> None:
    assert _transpiles(sql), name
