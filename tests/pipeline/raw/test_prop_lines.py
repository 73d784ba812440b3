"""``raw_prop_lines`` holds every market of the archive, each row with its source and snapshot.

Built by the real processor from the real files in ../shared (and from a folder without the
optional ``props_other_markets.parquet``); expectations are computed from the files in the test.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from _support import DATA, make_settings
from nbaprops.ops.runner import Runner
from nbaprops.pipeline.raw.schemas import MARKETS
from nbaprops.pipeline.registry import default_registry
from nbaprops.storage import DuckDBWarehouse

LINES = "raw_prop_lines"
DAY = dt.date(2025, 11, 3)  # lines of every market in the archive
PRA_DAY = dt.date(2023, 10, 25)  # SilverCrocus PRA: ISO snapshot labels, rows repeated verbatim
FILES = ("props_points.parquet", "props_other_markets.parquet")


def runner_on(tmp_path: Path, data: Path = DATA) -> Runner:
    settings = make_settings(tmp_path, data_dir=data)
    return Runner(settings=settings, warehouse=DuckDBWarehouse(settings.warehouse_url), code_version="test")


def load(r: Runner, day: dt.date) -> None:
    report = r.run(default_registry().select(["schedule", LINES]), [day])
    assert all(o.error is None for o in report.outcomes), [o.error for o in report.outcomes]


def file_rows(day: dt.date, files: tuple[str, ...] = FILES) -> dict[str, int]:
    """Rows per market in the files on a date (distinct rows: the archive repeats a few)."""
    paths = ", ".join(f"'{DATA / f}'" for f in files)
    got = duckdb.sql(
        f"SELECT market, count(*) FROM (SELECT DISTINCT game_key, market, player_name, bookmaker, line, "
        f"snapshot FROM read_parquet([{paths}], union_by_name = true) "
        f"WHERE CAST(game_date AS DATE) = DATE '{day}') GROUP BY 1"
    ).fetchall()
    return dict(got)


def test_every_market_of_the_archive_is_loaded_with_its_source(tmp_path: Path) -> None:
    r = runner_on(tmp_path)
    load(r, DAY)
    got = dict(r.wh.rows(f"SELECT market, count(*) FROM {LINES} WHERE game_date = $d GROUP BY 1", {"d": DAY}))
    assert got == file_rows(DAY)
    assert len(got) >= 8 and set(got) <= set(MARKETS)
    assert r.wh.rows(f"SELECT DISTINCT source FROM {LINES}") == [("public_archive",)]
    # yes/no markets have no line; every other row has one
    nulls = dict(r.wh.rows(f"SELECT market, count(*) FILTER (WHERE line IS NULL) FROM {LINES} GROUP BY 1"))
    assert nulls["player_double_double"] == got["player_double_double"]
    assert nulls["player_points"] == nulls["player_rebounds"] == 0
    # the daily YYYYMMDD_HHMMSS labels have no time zone: no time is guessed for them
    daily = r.wh.rows(
        f"SELECT count(*), count(snapshot_time) FROM {LINES} WHERE regexp_full_match(snapshot, '\\d{{8}}_\\d{{6}}')"
    )
    assert daily[0][0] > 0 and daily[0][1] == 0


def test_iso_snapshot_labels_become_utc_times_and_repeated_rows_load_once(tmp_path: Path) -> None:
    r = runner_on(tmp_path)
    load(r, PRA_DAY)
    got = r.wh.rows(
        f"SELECT count(*), count(DISTINCT snapshot), count(snapshot_time), "
        f"min(strftime(snapshot_time AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') = snapshot) "
        f"FROM {LINES} WHERE game_date = $d",
        {"d": PRA_DAY},
    )
    rows, _, timed, same = got[0]
    assert rows == sum(file_rows(PRA_DAY).values())  # the repeated rows are loaded once
    raw = duckdb.sql(
        f"SELECT count(*) FROM read_parquet('{DATA / FILES[1]}') WHERE CAST(game_date AS DATE) = DATE '{PRA_DAY}'"
    ).fetchall()
    assert raw[0][0] > rows  # the day really has repeated rows
    assert timed == rows and same is True  # every label parsed, to the same instant


def test_a_folder_without_the_other_markets_file_loads_points_only(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for f in DATA.glob("*.parquet"):
        if f.name != FILES[1]:
            (data / f.name).symlink_to(f)
    r = runner_on(tmp_path, data)
    load(r, DAY)
    got = dict(r.wh.rows(f"SELECT market, count(*) FROM {LINES} GROUP BY 1"))
    assert got == file_rows(DAY, FILES[:1])
