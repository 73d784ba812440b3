"""Corruption classes on a real warehouse: validate names each one, heal restores the clean state.

Bounded loop: `ROUNDS` rounds; each injects one fault of every class at random partitions
(seeded) of a private copy of the warehouse built over the real slice, then checks that
`validate` names exactly the injected partitions with the expected class (no false alarm),
that `heal` brings every table back to the clean run's checksums, and that validate is then
silent.  Wrong types and dropped columns are named here; a load of them is refused by the
raw schema contracts (issue 15 item 1), so heal is not what restores them.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

import pytest

from _support import SLICE, dates
from faults.report import Tally
from nbaprops.ops.heal import heal
from nbaprops.ops.ledger import LEDGER
from nbaprops.ops.runner import Runner
from nbaprops.ops.validate import validate
from nbaprops.pipeline.registry import default_registry
from nbaprops.storage.warehouse import Warehouse

ROUNDS = 3
CHECK = dates(*SLICE)
TABLES = [p.output for p in default_registry().select()]
Injection = Callable[[Warehouse, dt.date], tuple[str, str]]
"""Corrupts one partition; returns (processor, expected classification)."""


def _one_player(wh: Warehouse, table: str, day: dt.date) -> dict[str, object]:
    """Bind parameters naming one player's row of a date."""
    p = wh.rows(f"SELECT max(player_id) FROM {table} WHERE game_date = $d", {"d": day})[0][0]
    return {"d": day, "p": p}


def duplicate_rows(wh: Warehouse, day: dt.date) -> tuple[str, str]:
    """A player's box-score row loaded twice (his points counted twice)."""
    row = "FROM raw_player_boxscores WHERE game_date = $d AND player_id = $p"
    wh.execute(
        f"INSERT INTO raw_player_boxscores SELECT * {row}", _one_player(wh, "raw_player_boxscores", day)
    )
    return "raw_player_boxscores", "tracking_mismatch"


def null_points(wh: Warehouse, day: dt.date) -> tuple[str, str]:
    """``pts`` nulled on one row."""
    sql = "UPDATE raw_player_boxscores SET pts = NULL WHERE game_date = $d AND player_id = $p"
    wh.execute(sql, _one_player(wh, "raw_player_boxscores", day))
    return "raw_player_boxscores", "tampered"


def changed_value(wh: Warehouse, day: dt.date) -> tuple[str, str]:
    """``points + 1`` written into the game summary behind the ledger's back."""
    sql = "UPDATE player_game_summary SET points = points + 1 WHERE game_date = $d AND player_id = $p"
    wh.execute(sql, _one_player(wh, "player_game_summary", day))
    return "player_game_summary", "tampered"


def half_partition(wh: Warehouse, day: dt.date) -> tuple[str, str]:
    """Half a game's players deleted (one team of one game)."""
    game, team = wh.rows(
        "SELECT game_code, min(team) FROM player_game_summary WHERE game_date = $d "
        "GROUP BY game_code ORDER BY game_code LIMIT 1",
        {"d": day},
    )[0]
    wh.execute(
        "DELETE FROM player_game_summary WHERE game_date = $d AND game_code = $g AND team = $t",
        {"d": day, "g": game, "t": team},
    )
    return "player_game_summary", "partial"


def lost_partition(wh: Warehouse, day: dt.date) -> tuple[str, str]:
    """A whole partition deleted."""
    wh.execute("DELETE FROM predictions WHERE game_date = $d", {"d": day})
    return "predictions", "real_loss"


def ledger_miscount(wh: Warehouse, day: dt.date) -> tuple[str, str]:
    """The ledger changed behind the warehouse's back (it says 7 rows more than were written)."""
    wh.execute(
        f"UPDATE {LEDGER} SET rows_written = rows_written + 7 WHERE processor = 'team_defense_game_summary' "
        "AND partition = $k AND status = 'success'",
        {"k": day.isoformat()},
    )
    return "team_defense_game_summary", "tracking_mismatch"


INJECTIONS: dict[str, Injection] = {
    "duplicate_rows": duplicate_rows,
    "null_values": null_points,
    "changed_values": changed_value,
    "deleted_half_partition": half_partition,
    "deleted_partition": lost_partition,
    "ledger_miscount": ledger_miscount,
}


def checksums(runner: Runner) -> dict[str, str]:
    return {t: runner.wh.checksum(t) for t in TABLES}


def _game_days(runner: Runner, *, after_bootstrap: bool) -> list[dt.date]:
    days = [d for d in CHECK if runner.calendar.day(d).final_games]
    return [d for d in days if not runner.calendar.day(d).bootstrap] if after_bootstrap else days


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_each_corruption_is_named_and_healed(built: Runner, tally: Tally, round_: int) -> None:
    clean = checksums(built)
    rng = random.Random(1500 + round_)
    late = _game_days(built, after_bootstrap=True)  # predictions need history: thin before
    days = rng.sample(late, len(INJECTIONS))
    expected: dict[tuple[str, str], str] = {}
    for (cls, inject), day in zip(INJECTIONS.items(), days, strict=True):
        proc, classification = inject(built.wh, day)
        expected[proc, day.isoformat()] = classification
        tally.injected(cls)

    findings = validate(built, CHECK)
    got = {(f.processor, f.partition): f.classification for f in findings if f.alarm}
    assert got == expected  # each one named, nothing else raised

    _, report = heal(built, findings, CHECK)
    assert not report.failed
    assert checksums(built) == clean  # row for row the clean run
    assert [f for f in validate(built, CHECK) if f.alarm] == []
    for cls in INJECTIONS:
        tally.survived(cls)


def test_schema_damage_is_named_on_every_partition(built: Runner, tally: Tally) -> None:
    """Wrong types and dropped columns: every partition of the table is named."""
    wh = built.wh
    days = {d.isoformat() for d in _game_days(built, after_bootstrap=False)}
    wh.execute("ALTER TABLE player_game_summary ALTER points TYPE VARCHAR")
    wh.execute("ALTER TABLE raw_player_boxscores DROP COLUMN pts")
    tally.injected("wrong_types (named only)")
    tally.injected("dropped_column (named only)")
    findings = validate(built, CHECK, processors=["raw_player_boxscores", "player_game_summary"])
    by = {(f.processor, f.partition): f for f in findings if f.alarm}
    assert {k for k, f in by.items() if f.classification == "tampered"} == {
        (p, d) for p in ("raw_player_boxscores", "player_game_summary") for d in days
    }
    assert all("checksum differs" in f.detail for f in by.values())
    tally.survived("wrong_types (named only)")
    tally.survived("dropped_column (named only)")
