"""The one grading rule: inlined in both grade models, in their code hash, and BigQuery-ready."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import sqlglot
from sqlglot import ErrorLevel

from nbaprops.ops.runner import processor_code_hash
from nbaprops.pipeline.contract import Processor
from nbaprops.pipeline.predict.grading import GRADING_SQL
from nbaprops.pipeline.predict.prediction_grades import PREDICTION_GRADES
from nbaprops.pipeline.predict.system_prediction_grades import SYSTEM_PREDICTION_GRADES

GRADERS = [PREDICTION_GRADES, SYSTEM_PREDICTION_GRADES]


@pytest.mark.parametrize("proc", GRADERS, ids=lambda p: p.name)
def test_grade_model_inlines_the_rule_and_transpiles(proc: Processor) -> None:
    text = proc.sql_text()
    assert GRADING_SQL.read_text().strip() in text
    assert "FROM grading" not in text  # the relation was replaced by the rule itself
    out = sqlglot.transpile(text, read="duckdb", write="bigquery", unsupported_level=ErrorLevel.RAISE)
    assert len(out) == 1
    sqlglot.parse_one(out[0], read="bigquery")


@pytest.mark.parametrize("proc", GRADERS, ids=lambda p: p.name)
def test_a_change_to_the_rule_changes_every_graders_code_hash(proc: Processor, tmp_path: Path) -> None:
    changed = tmp_path / "grading.sql"
    changed.write_text(GRADING_SQL.read_text().replace("WHEN 'PUSH' THEN 0.0", "WHEN 'PUSH' THEN 0.5"))
    other = dataclasses.replace(proc, sql_uses=(changed,))
    assert processor_code_hash(other) != processor_code_hash(proc)
