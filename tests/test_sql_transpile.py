"""Every SQL model under src/nbaprops/pipeline transpiles from DuckDB to BigQuery with sqlglot."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot
from sqlglot import ErrorLevel

PIPELINE = Path(__file__).resolve().parents[1] / "src" / "nbaprops" / "pipeline"
MODELS = sorted(PIPELINE.rglob("*.sql"))


def test_models_are_found() -> None:
    names = {p.stem for p in MODELS}
    assert {"player_game_summary", "ml_feature_store", "player_daily_cache"} <= names


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.relative_to(PIPELINE).as_posix())
def test_model_transpiles_to_bigquery(path: Path) -> None:
    sql = path.read_text()
    out = sqlglot.transpile(sql, read="duckdb", write="bigquery", unsupported_level=ErrorLevel.RAISE)
    assert len(out) == 1 and out[0].upper().lstrip().startswith(("WITH", "SELECT", "/*"))
    # and the BigQuery text parses back
    sqlglot.parse_one(out[0], read="bigquery")
