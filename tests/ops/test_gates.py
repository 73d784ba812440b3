"""Gates and fallbacks on real data (../shared/data/nba, 2025-26), each with a damaged partition."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from _support import SLICE, TODAY, dates, make_settings
from nbaprops.ops import gates
from nbaprops.ops.ledger import LEDGER
from nbaprops.ops.runner import Runner
from nbaprops.ops.validate import validate
from nbaprops.pipeline.contract import Context
from nbaprops.pipeline.registry import default_registry
from nbaprops.storage import Partition, Query

DAY = dt.date(2025, 11, 5)  # 11 final games, outside the bootstrap window
BOOT_DAY = dt.date(2025, 10, 24)  # within the first 14 days of 2025-26
REG = default_registry()


def keep_games(runner: Runner, table: str, day: dt.date, games: list[str]) -> None:
    """Damage a partition: keep only the rows of some games (through the warehouse, atomically)."""
    runner.wh.write_partition(
        table,
        Partition("game_date", day),
        Query(
            f"SELECT * FROM {table} WHERE game_date = $d AND list_contains($g, game_code)",
            {"d": day, "g": games},
        ),
    )


def games_on(runner: Runner, table: str, day: dt.date) -> list[str]:
    return [
        r[0]
        for r in runner.wh.rows(
            f"SELECT DISTINCT game_code FROM {table} WHERE game_date = $d ORDER BY 1", {"d": day}
        )
    ]


def last_run(runner: Runner, proc: str, day: dt.date) -> dict[str, object]:
    rows = runner.ledger.runs(processor=proc, partition=day.isoformat()).to_pylist()
    return rows[0]


def test_gate_blocks_below_90_percent_and_force_overrides(built: Runner) -> None:
    games = games_on(built, "raw_player_boxscores", DAY)
    n = len(games)
    assert n == built.calendar.day(DAY).final_games == 11
    keep_games(built, "raw_player_boxscores", DAY, games[:-1])  # 10 of 11 games: 91 %, passes
    (out,) = built.run([REG.get("player_game_summary")], [DAY]).outcomes
    assert out.status == "success"
    keep_games(built, "raw_player_boxscores", DAY, games[:-2])  # 9 of 11 games: 82 %, blocked
    before = built.wh.count("player_game_summary", Partition("game_date", DAY))
    report = built.run([REG.get("player_game_summary")], [DAY])
    (out,) = report.outcomes
    assert out.status == "failed"
    assert out.error == f"gate: raw_player_boxscores covers 9 of 11 final games on {DAY} (82% < 90%)"
    row = last_run(built, "player_game_summary", DAY)
    assert row["status"] == "failed" and str(row["error"]).startswith("gate: ") and not row["forced"]
    assert built.wh.count("player_game_summary", Partition("game_date", DAY)) == before  # untouched
    # --force overrides the gate, and the ledger says it was forced
    (out,) = built.run([REG.get("player_game_summary")], [DAY], force=True).outcomes
    assert out.status == "success"
    row = last_run(built, "player_game_summary", DAY)
    assert (
        row["forced"]
        and row["rows_written"] == built.wh.count("player_game_summary", Partition("game_date", DAY)) < before
    )


def test_gate_passes_at_full_coverage_and_in_batches(built: Runner) -> None:
    days = dates(dt.date(2025, 11, 1), dt.date(2025, 11, 9))
    games = games_on(built, "player_game_summary", DAY)
    keep_games(built, "player_game_summary", DAY, games[: len(games) // 2])  # damaged: 50 %
    report = built.run([REG.get("team_defense_game_summary")], days, force=False)
    by_day = {o.partition: o for o in report.outcomes}
    assert by_day[DAY.isoformat()].status == "failed"
    assert "player_game_summary covers 5 of 11 final games" in str(by_day[DAY.isoformat()].error)
    assert all(o.status in ("success", "skipped") for k, o in by_day.items() if k != DAY.isoformat())


def test_partial_upcoming_context_falls_back_to_the_game_summary(built: Runner) -> None:
    # the pre-game view of DAY, as it was the evening before
    eve = Runner(
        settings=make_settings(built.settings.home, today=DAY - dt.timedelta(days=1)),
        warehouse=built.wh,
        code_version="test",
    )
    eve.run([REG.get("upcoming_player_game_context")], [DAY])
    upcoming = built.wh.count("upcoming_player_game_context", Partition("game_date", DAY))
    summary = built.wh.count("player_game_summary", Partition("game_date", DAY))
    assert upcoming >= 0.9 * summary
    cache = REG.get("player_daily_cache")
    built.run([cache], [DAY], force=True)
    src = built.wh.rows(
        "SELECT DISTINCT context_source FROM player_daily_cache WHERE game_date = $d", {"d": DAY}
    )
    assert src == [("upcoming_context",)]
    # damage the upcoming partition: only half of the games keep their players
    games = games_on(built, "upcoming_player_game_context", DAY)
    keep_games(built, "upcoming_player_game_context", DAY, games[: len(games) // 2])
    built.run([cache], [DAY], force=True)
    got = built.wh.rows(
        "SELECT context_source, count(*) FROM player_daily_cache WHERE game_date = $d GROUP BY 1", {"d": DAY}
    )
    assert got == [("game_summary", summary)]
    procs = REG.select(["player_shot_zone_analysis", "player_composite_factors", "ml_feature_store"])
    fs = built.run(procs, [DAY], force=True)
    assert not fs.failed
    assert built.wh.rows(
        "SELECT DISTINCT context_source FROM ml_feature_store WHERE game_date = $d", {"d": DAY}
    ) == [("game_summary",)]


def test_stale_upcoming_rows_are_cleaned_once_the_games_are_final(built: Runner) -> None:
    eve = Runner(
        settings=make_settings(built.settings.home, today=DAY - dt.timedelta(days=1)),
        warehouse=built.wh,
        code_version="test",
    )
    eve.run([REG.get("upcoming_player_game_context")], [DAY, DAY + dt.timedelta(days=1)])
    held = built.wh.counts_by("upcoming_player_game_context", "game_date")
    assert held[DAY.isoformat()] > 100 and held[(DAY + dt.timedelta(days=1)).isoformat()] > 10
    # today (TODAY) both dates are final: an ordinary run refuses to erase the rows silently
    (out, _) = built.run(
        [REG.get("upcoming_player_game_context")], [DAY, DAY + dt.timedelta(days=1)]
    ).outcomes
    assert out.status == "failed" and "refusing to erase" in str(out.error)
    report = gates.cleanup_stale_upcoming(built)
    assert report is not None and {o.status for o in report.outcomes} == {"success"}
    assert built.wh.count("upcoming_player_game_context") == 0
    row = last_run(built, "upcoming_player_game_context", DAY)
    assert row["status"] == "success" and row["rows_written"] == 0 and row["forced"]
    assert row["expected_zero"] and not row["suspicious"]
    assert gates.cleanup_stale_upcoming(built) is None  # nothing left to clean
    assert built.calendar.today == TODAY


@pytest.mark.parametrize("table", ["player_daily_cache", "player_shot_zone_analysis"])
def test_thin_bootstrap_output_is_not_a_loss(built: Runner, table: str) -> None:
    assert built.calendar.day(BOOT_DAY).bootstrap and not built.calendar.day(DAY).bootstrap
    flags = built.wh.rows(f"SELECT DISTINCT bootstrap FROM {table} WHERE game_date = $d", {"d": BOOT_DAY})
    assert flags == [(True,)]
    for day in (BOOT_DAY, DAY):  # damage both partitions the same way: a third of the games left
        games = games_on(built, table, day)
        keep_games(built, table, day, games[: len(games) // 3])
    found = {f.partition: f for f in validate(built, [BOOT_DAY, DAY], processors=[table])}
    boot, late = found[BOOT_DAY.isoformat()], found[DAY.isoformat()]
    assert boot.classification == "bootstrap" and not boot.alarm
    assert late.classification == "partial" and late.alarm


def test_batch_and_single_runs_agree(built: Runner) -> None:
    """The runner's set-based path: same input hashes, same rows, one ledger row per partition."""
    days = dates(*SLICE)
    windows = set()
    for proc in REG.by_name.values():  # each built processor
        if not proc.inputs or not built.wh.has_table(proc.output):
            continue
        windows |= {i.window for i in proc.inputs}
        parts = [proc.partition_for(v) for v in built.partitions_for(proc, days)]
        ctxs = [
            Context(p, built.settings, built.wh, built.calendar, built.raw, built.public_data) for p in parts
        ]
        params = [dict(proc.sql_params(c)) if proc.sql_params else {} for c in ctxs]
        bulk = built.input_hashes(proc, parts, exts=[None] * len(parts), params=params)
        one = [
            built.input_hashes(proc, [p], exts=[None], params=[prm])[0]
            for p, prm in zip(parts, params, strict=True)
        ]
        assert bulk == one, proc.name  # a partition hashes the same alone or in a batch
        if any(not i.optional for i in proc.inputs):  # (optional: scraped tables this build lacks)
            assert any(n for _, n in bulk), proc.name  # the windows found catalog rows
    assert windows == {"partition", "before", "through", "season", "all"}
    proc = REG.get("ml_feature_store")
    before = built.wh.partition_state("ml_feature_store")
    n = built.wh.rows(f"SELECT count(*) FROM {LEDGER}")[0][0]
    for d in days[-3:]:  # one partition at a time: the single path
        assert built.run([proc], [d], force=True).outcomes[0].status == "success"
    built.run([proc], days, force=True)  # all at once: the batch path
    assert built.wh.partition_state("ml_feature_store") == before  # same rows and checksums
    assert built.wh.rows(f"SELECT count(*) FROM {LEDGER}")[0][0] == n + 3 + len(days)


def test_gate_does_not_expect_games_the_box_source_never_covers(built: Runner) -> None:
    """Play-in games and the Cup final have no box rows in the public data: not expected."""
    season = built.calendar.season_of(DAY)
    sched = built.wh.query("SELECT * FROM schedule WHERE season = $s", {"s": season}).to_pylist()
    extra = {
        **next(r for r in sched if r["game_date"] == DAY),
        "game_code": "X_PLAYIN",
        "season_type": "play_in",
    }
    built.wh.write_partition("schedule", Partition("season", season), pa.Table.from_pylist([*sched, extra]))
    assert gates.coverage(built, "raw_player_boxscores", days=[DAY]) == {DAY: (11, 11)}
    assert gates.CoverageGate()(built, REG.get("player_game_summary"), Partition("game_date", DAY)) is None
