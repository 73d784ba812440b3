"""The daily cycle: passes derived from the DAG, on the archive and with a live source.

Real data: the first days of 2025-26 from `../shared/data/nba` (the archive path), and the
recorded NBA.com injury report of 2024-01-04 served untouched from 127.0.0.1 (the scrape
path).  A changed input is a copy of the archive with one prop line of the date moved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from pytest_httpserver import HTTPServer

from _support import DATA, FIXTURES, dates, make_settings
from nbaprops.core.calendar import eastern_date, game_night
from nbaprops.core.config import HttpSettings
from nbaprops.core.errors import InputError
from nbaprops.ops.daily import due_pass, pass_processors, post_game, run_pass
from nbaprops.ops.runner import Runner
from nbaprops.pipeline.registry import PROCESSORS, Registry, default_registry
from nbaprops.storage import DuckDBWarehouse

REG = default_registry()
DAY = dt.date(2025, 10, 23)
"""The third night of 2025-26 (opener 2025-10-21): its history is two game days."""
UTC = dt.UTC


def _names(name: str, *, scrape: bool = False, reg: Registry = REG) -> set[str]:
    return {p.name for p in pass_processors(reg, name, scrape=scrape)}  # type: ignore[arg-type]


def test_the_passes_split_the_dag_at_the_games() -> None:
    morning, night = _names("morning"), _names("night")
    assert _names("update") == morning
    # before the games: what reads only earlier games, the lines and the availability
    assert {"raw_prop_lines", "player_availability", "upcoming_player_game_context", "predictions",
            "team_defense_zone_analysis"} <= morning  # fmt: skip
    # after them: the box scores and everything that reads the date's results
    assert {"raw_player_boxscores", "player_game_summary", "team_defense_game_summary",
            "player_daily_cache", "ml_feature_store", "prediction_grades"} <= night  # fmt: skip
    both = morning & night  # sources both read (skipped when unchanged): the schedule, the lines
    assert "schedule" in both and all(REG.get(n).phase <= 2 for n in both)
    assert not (morning | night) & (REG.network() | REG.opt_in())  # the archive path: no network
    assert post_game(REG) >= night - both
    # with the live sources: the injury report and the lines in the morning, box scores at night
    live_m, live_n = _names("morning", scrape=True), _names("night", scrape=True)
    assert {"scrape_nbac_injury_report", "raw_nbac_injury_report", "scrape_oddsa_player_props_his"} <= live_m
    assert {"scrape_bdl_box_scores", "raw_bdl_player_boxscores", "player_unresolved"} <= live_n
    assert "scrape_bdl_box_scores" not in live_m and "scrape_nbac_injury_report" not in live_n
    assert "raw_nbac_players" in live_m & live_n  # the player index feeds every parse
    # payloads that exist only after the games are fetched at night, never in the morning
    after = {"scrape_nbac_gamebook_pdf", "scrape_nbac_play_by_play", "scrape_nbac_team_boxscore"} & set(
        REG.order
    )
    assert after <= live_n and not after & live_m
    assert "player_availability" in live_m and "predictions" in live_m  # its gamebook input is optional


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # EDT (UTC-4): 02:30 UTC on 23 Oct is 22:30 on 22 Oct in New York
        ("2025-10-23T02:30:00+00:00", ("update", dt.date(2025, 10, 22))),
        ("2025-10-23T08:00:00+00:00", ("night", dt.date(2025, 10, 22))),  # 04:00 EDT
        ("2025-10-23T09:59:00+00:00", ("night", dt.date(2025, 10, 22))),
        ("2025-10-23T10:00:00+00:00", ("morning", dt.date(2025, 10, 23))),  # 06:00 EDT
        ("2025-10-23T16:00:00+00:00", ("update", dt.date(2025, 10, 23))),  # noon EDT
        # EST (UTC-5): 04:30 UTC on 23 Dec is 23:30 on 22 Dec; 10:30 UTC is 05:30 (still night)
        ("2025-12-23T04:30:00+00:00", ("update", dt.date(2025, 12, 22))),
        ("2025-12-23T10:30:00+00:00", ("night", dt.date(2025, 12, 22))),
        ("2025-12-23T11:00:00+00:00", ("morning", dt.date(2025, 12, 23))),
    ],
)
def test_the_pass_due_follows_the_eastern_clock(now: str, expected: tuple[str, dt.date]) -> None:
    assert due_pass(dt.datetime.fromisoformat(now)) == expected


def test_eastern_dates_around_midnight_utc() -> None:
    assert eastern_date(dt.datetime(2025, 10, 23, 0, 30, tzinfo=UTC)) == dt.date(2025, 10, 22)
    assert eastern_date(dt.datetime(2025, 10, 23, 4, 0, tzinfo=UTC)) == dt.date(2025, 10, 23)  # 00:00 EDT
    assert eastern_date(dt.datetime(2025, 12, 23, 4, 59, tzinfo=UTC)) == dt.date(2025, 12, 22)  # 23:59 EST
    assert game_night(dt.datetime(2025, 10, 23, 5, 0, tzinfo=UTC)) == dt.date(2025, 10, 22)  # 01:00 EDT
    with pytest.raises(InputError, match="no time zone"):
        eastern_date(dt.datetime(2025, 10, 23, 0, 30))


def _archive_with_moved_line(tmp: Path, day: dt.date) -> tuple[Path, str]:
    """A data folder like ../shared/data/nba where every points line of the first player
    listed on `day` is one point higher (every book: the call reads a consensus); his name."""
    data = tmp / "data"
    data.mkdir()
    for f in DATA.iterdir():
        if f.name != "props_points.parquet":
            (data / f.name).symlink_to(f)
    props = pq.read_table(DATA / "props_points.parquet")
    on_day = pc.equal(pc.cast(props["game_date"], pa.date32()), day)
    days, names = on_day.to_pylist(), props["player_name"].to_pylist()
    player = names[days.index(True)]
    lines = [x + 1.0 if d and n == player else x for x, d, n in
             zip(props["line"].to_pylist(), days, names, strict=True)]  # fmt: skip
    moved = props.set_column(props.schema.get_field_index("line"), "line", pa.array(lines, pa.float64()))
    pq.write_table(moved, data / "props_points.parquet")
    return data, str(player)


def _by_status(rep: object, day: dt.date) -> dict[str, set[str]]:
    """processor -> statuses of its runs on `day`."""
    out: dict[str, set[str]] = {}
    for o in rep.report.outcomes:  # type: ignore[attr-defined]
        if o.partition == day.isoformat():
            out.setdefault(o.processor, set()).add(o.status)
    return out


@pytest.fixture(scope="module")
def day_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Runner, Path]]:
    tmp = tmp_path_factory.mktemp("daily")
    s = make_settings(tmp / "home")
    runner = Runner(settings=s, warehouse=DuckDBWarehouse(s.warehouse_url), code_version="test")
    yield runner, tmp
    runner.wh.close()


def test_morning_then_night_on_the_archive(day_world: tuple[Runner, Path]) -> None:
    runner, _ = day_world
    morning = run_pass(runner.settings, "morning", DAY, runner=runner)
    assert not morning.report.failed, [o.error for o in morning.report.failed]
    ran = _by_status(morning, DAY)
    assert set(ran) == set(morning.processors) - {"schedule"}  # schedule is a season partition
    assert "prediction_grades" not in ran and "raw_player_boxscores" not in ran
    assert runner.wh.count("predictions", REG.get("predictions").partition_for(DAY)) > 0
    # the history the morning reads (box scores and summaries of the two earlier nights) was built
    history = {(o.processor, o.partition) for o in morning.report.outcomes if o.partition < DAY.isoformat()}
    assert ("player_game_summary", "2025-10-21") in history and (
        "player_game_summary",
        "2025-10-22",
    ) in history
    night = run_pass(runner.settings, "night", DAY, runner=runner)
    assert not night.report.failed, [o.error for o in night.report.failed]
    ran = _by_status(night, DAY)
    assert ran["prediction_grades"] == {"success"} and ran["player_game_summary"] == {"success"}
    assert "predictions" not in ran or ran["predictions"] == {"skipped"}  # made in the morning
    built = {(p, k) for (p, k), st in _statuses(morning).items() if "success" in st}
    assert all(
        _statuses(night).get(pk, {"skipped"}) == {"skipped"} for pk in built
    )  # history the morning built
    # every ledger row of each pass carries its label, and only its rows do
    for rep in (morning, night):
        rows = runner.ledger.runs(run_group=rep.label)
        assert rows.num_rows == len(rep.report.outcomes)
        assert set(rows["run_id"].to_pylist()) == {o.run_id for o in rep.report.outcomes}
    passes = runner.ledger.passes().to_pylist()
    assert [p["run_group"] for p in passes] == [night.label, morning.label]
    assert passes[0]["failed"] == 0 and passes[0]["success"] >= 8


def _statuses(rep: object) -> dict[tuple[str, str], set[str]]:
    out: dict[tuple[str, str], set[str]] = {}
    for o in rep.report.outcomes:  # type: ignore[attr-defined]
        out.setdefault((o.processor, o.partition), set()).add(o.status)
    return out


def test_an_update_skips_the_unchanged_and_recomputes_what_a_moved_line_touches(
    day_world: tuple[Runner, Path],
) -> None:
    runner, tmp = day_world
    if not runner.ledger.runs(run_group="night").num_rows:
        run_pass(runner.settings, "morning", DAY, runner=runner)
    same = run_pass(runner.settings, "update", DAY, runner=runner)
    assert same.report.outcomes and {o.status for o in same.report.outcomes} == {"skipped"}
    data, player = _archive_with_moved_line(tmp, DAY)
    moved = Runner(
        settings=make_settings(tmp / "home", data_dir=data), warehouse=runner.wh, code_version="test"
    )
    before = {r[0]: r[1] for r in runner.wh.rows(
        "SELECT player_name, line FROM predictions WHERE game_date = $d", {"d": DAY})}  # fmt: skip
    upd = run_pass(moved.settings, "update", DAY, runner=moved)
    assert not upd.report.failed, [o.error for o in upd.report.failed]
    ran = {p for (p, k), st in _statuses(upd).items() if "success" in st}
    # the lines of the date, and what reads them on that date; nothing else
    assert ran == {"raw_prop_lines", "upcoming_player_game_context", "predictions"}, ran
    assert all(st == {"skipped"} for (p, k), st in _statuses(upd).items() if p not in ran)
    after = {r[0]: r[1] for r in runner.wh.rows(
        "SELECT player_name, line FROM predictions WHERE game_date = $d", {"d": DAY})}  # fmt: skip
    assert after[player] == before[player] + 1.0
    assert {k for k in after if after[k] != before.get(k)} == {player}


REPORT_DAY = dt.date(2024, 1, 4)
REPORT = (FIXTURES / "nbac_injury_report" / "raw_f4391904.pdf").read_bytes()


def test_a_scraping_morning_fetches_the_injury_report_and_an_update_refetches_it(tmp_path: Path) -> None:
    """The live path of the morning with one live source (the injury report, served from
    127.0.0.1): the other network processors are left out of this registry, so nothing else
    reaches for the network."""
    server = HTTPServer(host="127.0.0.1")
    server.start()
    server.expect_request("/pdf/referee/injury/Injury-Report_2024-01-04_05PM.pdf").respond_with_data(
        REPORT, content_type="application/pdf"
    )
    keep = {"scrape_nbac_injury_report", "raw_nbac_injury_report"}
    reg = Registry([p for p in PROCESSORS if p.name in keep or p.name not in REG.network()])
    http = HttpSettings(base_urls={"nbac_pdf": server.url_for("/pdf")}, max_attempts=1, rate_per_host=0)
    s = make_settings(tmp_path / "home", http=http)
    runner = Runner(settings=s, warehouse=DuckDBWarehouse(s.warehouse_url), registry=reg, code_version="test")
    # an archive-only morning never touches the network
    assert "scrape_nbac_injury_report" not in _names("morning", reg=reg)
    assert _names("morning", scrape=True, reg=reg) == _names("morning", reg=reg) | keep
    assert not runner.run([reg.calendar_source], [REPORT_DAY]).failed
    hist = [reg.get(n) for n in ("raw_player_boxscores", "player_game_summary")]
    assert not runner.run(hist, dates(dt.date(2023, 10, 24), REPORT_DAY - dt.timedelta(days=1))).failed
    morning = run_pass(s, "morning", REPORT_DAY, scrape=True, runner=runner)
    assert not morning.report.failed, [o.error for o in morning.report.failed]
    ran = _by_status(morning, REPORT_DAY)
    assert ran["scrape_nbac_injury_report"] == {"success"} and ran["raw_nbac_injury_report"] == {"success"}
    assert runner.wh.count("player_availability", reg.get("player_availability").partition_for(REPORT_DAY))
    # the same report an hour later: fetched and parsed again, nothing downstream recomputed
    update = run_pass(s, "update", REPORT_DAY, scrape=True, runner=runner)
    assert not update.report.failed, [o.error for o in update.report.failed]
    ran = _by_status(update, REPORT_DAY)
    assert ran["scrape_nbac_injury_report"] == {"success"}
    assert {p for p, st in ran.items() if st != {"skipped"}} <= {"scrape_nbac_injury_report",
                                                               "raw_nbac_injury_report"}  # fmt: skip
    assert ran["player_availability"] == {"skipped"} and ran["predictions"] == {"skipped"}
    assert len(server.log) == 2  # one fetch per pass
    server.stop()
    runner.wh.close()


def test_an_unknown_pass_is_refused_before_anything_opens(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown pass 'noon'"):
        run_pass(make_settings(tmp_path / "home"), "noon", DAY)
    assert not (tmp_path / "home").exists()
