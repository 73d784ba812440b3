"""Gates and fallbacks: what the runner checks before a processor runs, and the cleanups.

* :class:`CoverageGate` (in ``Runner.gates``; every runner has it unless a test passes
  ``gates=``): before a date-partitioned processor runs, each of its inputs that must hold
  every final game (written by a processor declaring ``covers_every_game``) is compared with
  the schedule: games covered (``count(DISTINCT
  game_code)`` on the date) over final games scheduled.  Below ``Settings.coverage_gate``
  (0.9) the run is blocked; the ledger records ``gate: <reason>`` and ``--force`` overrides
  (the ledger's ``forced`` column says so).  Only the partition's own date is checked: history
  windows before it were gated when they were built.
* Partial upcoming context: ``player_daily_cache`` uses ``upcoming_player_game_context`` as
  the list of players for a date only when it has at least ``coverage_gate`` of the players
  the game summary shows; otherwise it falls back to the game summary, and every Phase-4 row
  records the choice in ``context_source`` (SQL: ``precompute/player_daily_cache.sql``).
* :func:`cleanup_stale_upcoming`: rows of processors declaring ``stale_when_final`` (the
  upcoming context) for dates whose games became final are removed (through the runner, so the ledger and the partition catalog stay exact).
* Bootstrap: ``DayInfo.bootstrap`` marks a season's first ``bootstrap_days`` days; Phase-4
  rows carry a ``bootstrap`` flag and validation (``ops/validate.py``) classifies thin output
  there as ``bootstrap``, not a loss.  The coverage gate does not relax in bootstrap: the
  date's own games must still be there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from nbaprops.ops.outcomes import RunReport
from nbaprops.storage.queries.gates import GAMES_COVERED
from nbaprops.storage.warehouse import Partition, among, ident

if TYPE_CHECKING:
    from nbaprops.ops.runner import Runner
    from nbaprops.pipeline.contract import Processor
    from nbaprops.pipeline.registry import Registry

__all__ = ["CoverageGate", "cleanup_stale_upcoming", "coverage"]

_GATED_WINDOWS = ("partition", "through")


def coverage(runner: Runner, table: str, *, days: Sequence[dt.date]) -> dict[dt.date, tuple[int, int]]:
    """(games covered, final games expected) per date, for one per-game table.

    Dates the calendar calls not final (future, scheduled, no games) expect 0.
    """
    wh = runner.wh
    expected = {d: runner.calendar.day(d).box_final_games for d in days}
    finals = [d for d in days if expected[d]]
    covered: dict[dt.date, int] = {}
    if finals and wh.has_table(table):
        _, params = among("game_date", finals, "d")
        covered = {d: int(n) for d, n in wh.rows(GAMES_COVERED.format(table=ident(table)), params)}
    return {d: (covered.get(d, 0), expected[d]) for d in days}


class CoverageGate:
    """The 90 % input-coverage gate; a `Runner.gates` callable.

    Single runs query on demand; batch runs call `prepare` first so that every partition
    of the batch is answered from one query per input.
    """

    def __init__(self) -> None:
        self._prepared: dict[tuple[str, str, dt.date], tuple[int, int]] = {}

    @staticmethod
    def gated_inputs(registry: Registry, proc: Processor) -> list[str]:
        """The inputs of a processor the gate checks: its own date of tables whose producer
        declares ``covers_every_game``."""
        if proc.partition != "date":
            return []
        return [
            i.table
            for i in proc.inputs
            if i.window in _GATED_WINDOWS
            and i.table in registry.by_output
            and registry.by_output[i.table].covers_every_game
        ]

    def prepare(self, runner: Runner, proc: Processor, parts: Sequence[Partition]) -> None:
        """Compute the coverage of every partition of a batch at once."""
        days = [p.value for p in parts if isinstance(p.value, dt.date)]
        self._prepared = {}
        for table in self.gated_inputs(runner.registry, proc):
            for d, got in coverage(runner, table, days=days).items():
                self._prepared[(proc.name, table, d)] = got

    def __call__(self, runner: Runner, proc: Processor, part: Partition) -> str | None:
        """The reason to block the run, or None to let it go."""
        if not isinstance(part.value, dt.date):
            return None
        day = part.value
        for table in self.gated_inputs(runner.registry, proc):
            got = self._prepared.pop((proc.name, table, day), None)
            covered, expected = got if got is not None else coverage(runner, table, days=[day])[day]
            if expected == 0:
                continue
            share = covered / expected
            if share < runner.settings.coverage_gate:
                return (
                    f"{table} covers {covered} of {expected} final games on {day} "
                    f"({share:.0%} < {runner.settings.coverage_gate:.0%})"
                )
        return None


def cleanup_stale_upcoming(runner: Runner) -> RunReport | None:
    """Empty the partitions of ``stale_when_final`` processors (the upcoming context) on
    dates whose games are all final now.

    Each is re-run on those dates with ``force`` (its SQL selects only games that are not
    final, so it writes zero rows; the ledger records a forced success with 0 rows and the
    catalog follows).

    Returns:
        The run report, or None when nothing was stale.
    """
    report: RunReport | None = None
    for proc in runner.registry.by_name.values():
        if not proc.stale_when_final or proc.partition != "date":
            continue
        stale = []
        for key, n in runner.wh.counts_by(proc.output, proc.partition_column).items():
            day = dt.date.fromisoformat(key)
            info = runner.calendar.day(day)
            if n > 0 and info.games > 0 and info.games == info.final_games:
                stale.append(day)
        if stale:
            report = report or RunReport()
            report.outcomes.extend(runner.run([proc], sorted(stale), force=True).outcomes)
    return report
