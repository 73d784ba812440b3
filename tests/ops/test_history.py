"""Complete history: a run that starts mid-season gives the rows a run from the opener gives.

Real data: the first weeks of 2024-25 from `../shared/data/nba`.  The reference is a run
that starts at the season's opener; every other way of starting (a mid-season range, a
mid-season backfill) must give the same rows, or refuse with the missing range named.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from _support import DATA, dates, make_settings
from nbaprops.ops.backfill import run_backfill
from nbaprops.ops.history import expand
from nbaprops.ops.runner import Runner
from nbaprops.pipeline.registry import default_registry
from nbaprops.storage import DuckDBWarehouse

OPENER = dt.date(2024, 10, 22)
START, END = dt.date(2024, 11, 1), dt.date(2024, 11, 21)
REG = default_registry()


def _runner(home: Path, **kw: object) -> Runner:
    s = make_settings(home, **kw)
    return Runner(settings=s, warehouse=DuckDBWarehouse(s.warehouse_url), code_version="test")


def _rows(home: Path, lo: dt.date, hi: dt.date) -> dict[str, tuple[int, int]]:
    """(rows, order-independent checksum) of every phase 3-5 table over the dates."""
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    out = {}
    for p in REG.select():
        if p.phase >= 3 and p.partition == "date":
            out[p.output] = con.execute(
                f"SELECT count(*), coalesce(sum(hash(t::VARCHAR)), 0) FROM {p.output} t "
                "WHERE game_date BETWEEN $lo AND $hi",
                {"lo": lo, "hi": hi},
            ).fetchone()
    con.close()
    return out  # type: ignore[return-value]


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, int]]:
    """Every phase 3-5 row of START..END from a run that started at the opener."""
    home = tmp_path_factory.mktemp("opener") / "home"
    r = _runner(home)
    assert not r.run(REG.select(), dates(OPENER, END)).failed
    r.wh.close()
    got = _rows(home, START, END)
    assert all(got[t][0] > 0 for t in ("player_game_summary", "player_daily_cache", "predictions"))
    return got


def test_a_run_starting_mid_season_equals_a_run_from_the_opener(
    tmp_path: Path, reference: dict[str, tuple[int, int]]
) -> None:
    r = _runner(tmp_path / "home")
    report = r.run(REG.select(), dates(START, END), complete_history=True)
    assert not report.failed, [o.error for o in report.failed]
    # the history it read was built first: box scores and summaries from the opener
    built = {o.partition for o in report.outcomes if o.processor == "player_game_summary"}
    assert OPENER.isoformat() in built
    r.wh.close()
    assert _rows(tmp_path / "home", START, END) == reference


def test_a_backfill_starting_mid_season_equals_one_from_the_opener(
    tmp_path: Path, reference: dict[str, tuple[int, int]]
) -> None:
    r = _runner(tmp_path / "home")
    state, report = run_backfill(r, REG.select(), dates(START, END), workers=2, chunk=4)
    assert not report.failed, [o.error for o in report.failed]
    assert state.state == "done"
    assert OPENER.isoformat() in state.done["raw_player_boxscores"]
    r.wh.close()
    assert _rows(tmp_path / "home", START, END) == reference


def test_the_plan_adds_upstream_history_but_never_network_or_opt_in_producers(tmp_path: Path) -> None:
    runner = _runner(tmp_path / "home")
    runner.run([REG.calendar_source], [START])
    plan = expand(REG, runner.calendar, [REG.get("predictions")], [START])
    assert plan["predictions"] == [START]
    assert min(plan["player_game_summary"]) == OPENER and max(plan["player_game_summary"]) < START
    assert START in plan["raw_prop_lines"] and OPENER not in plan["raw_prop_lines"]  # its own date only
    assert not {"scrape_nbac_injury_report", "raw_nbac_injury_report", "system_predictions"} & set(plan)
    runner.wh.close()


def test_history_the_source_lacks_blocks_the_run_and_names_the_range(tmp_path: Path) -> None:
    gap = dt.date(2024, 10, 25)
    data = tmp_path / "data"
    data.mkdir()
    for f in DATA.iterdir():
        (data / f.name).symlink_to(f)
    box = pq.read_table(DATA / "player_boxscores.parquet")
    (data / "player_boxscores.parquet").unlink()
    pq.write_table(box.filter(pc.not_equal(box["game_date"], gap)), data / "player_boxscores.parquet")
    r = _runner(tmp_path / "home", data_dir=data)
    report = r.run([REG.get("predictions")], [START], complete_history=True)
    out = {(o.processor, o.partition): o for o in report.outcomes}
    # the day the source lacks: zero box rows, so its summary is empty (or gated) there
    assert out[("raw_player_boxscores", gap.isoformat())].rows_written == 0
    on_gap = out[("player_game_summary", gap.isoformat())]
    assert on_gap.status == "failed" or (on_gap.rows_written, on_gap.suspicious) == (0, True)
    # every later summary of the season reads that day: refused, naming it
    nxt = out[("player_game_summary", "2024-10-26")]
    assert (nxt.status, nxt.error) == (
        "failed",
        f"gate: history incomplete: raw_player_boxscores lacks 1 of the 4 game days it reads before 2024-10-26 ({gap}); run them first",
    )
    # and so does everything on START that reads history through that day
    pred = out[("predictions", START.isoformat())]
    assert pred.status == "failed"
    avail = out[("player_availability", START.isoformat())]
    assert avail.error == (
        "gate: history incomplete: raw_player_boxscores lacks 1 of the 10 game days it reads "
        f"before {START} ({gap}); run them first"
    )
    # nothing was written for the refused dates
    assert r.wh.count("predictions") == 0
    summary = REG.get("player_game_summary")
    assert all(r.wh.count(summary.output, summary.partition_for(d)) == 0 for d in dates(gap, END))
    r.wh.close()
