"""The sealed console: the row cap is part of the query, the timeout interrupts, the seal holds."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from nbaprops.core.errors import ConfigError, InputError, WarehouseError
from nbaprops.storage.console import open_console


@pytest.fixture
def warehouse(tmp_path: Path) -> str:
    path = str(tmp_path / "w.duckdb")
    with duckdb.connect(path) as conn:
        conn.execute("CREATE TABLE t AS SELECT range AS i FROM range(5000)")
    return path


def test_cap_is_pushed_into_the_plan_so_an_endless_result_still_answers(warehouse: str) -> None:
    with open_console(warehouse) as sealed:
        # a trillion rows: fetched whole, this would run into the timeout instead of answering
        got = sealed.query("SELECT range AS n FROM range(1000000000000)", limit=5, timeout=60)
        assert got.table.column("n").to_pylist() == [0, 1, 2, 3, 4] and got.more
        exact = sealed.query("SELECT * FROM t ORDER BY i DESC", limit=5000)
        assert exact.table.num_rows == 5000 and not exact.more
        assert exact.table.column("i")[0].as_py() == 4999  # the query's order is kept under the cap


def test_timeout_interrupts_and_the_console_stays_usable(warehouse: str) -> None:
    with open_console(warehouse) as sealed:
        with pytest.raises(InputError, match=r"interrupted after the 0\.3s timeout"):
            sealed.query("SELECT count(*) FROM range(1000000000000) a, range(10) b", timeout=0.3)
        assert sealed.query("SELECT count(*) AS n FROM t").table.to_pylist() == [{"n": 5000}]


def test_settings_cannot_be_unlocked(warehouse: str) -> None:
    with open_console(warehouse) as sealed:
        for q in (
            "SET enable_external_access = true",
            "RESET enable_external_access",
            "SET allowed_directories = ['/']",
        ):
            with pytest.raises(InputError, match="read-only"):
                sealed.query(q)
        assert sealed.query("SELECT current_setting('enable_external_access') AS x").table.to_pylist() == [
            {"x": False}
        ]


def test_what_cannot_be_opened(tmp_path: Path) -> None:
    with pytest.raises(WarehouseError, match="no warehouse at"):
        open_console(str(tmp_path / "none.duckdb"))
    with pytest.raises(ConfigError, match="DuckDB warehouse file only"):
        open_console("bigquery://p/d")
