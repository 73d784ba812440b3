"""Complete history: a number never depends on where a run starts.

A processor that reads a history window of an input (``before``, ``through``) sees every
partition of that window, or does not run:

* :func:`expand` materialises first: for the processors and dates asked for, it adds every
  upstream processor and every earlier date of the season their windows read, so that
  ``run --start-date 2024-11-01`` also builds (or finds unchanged and skips) the box scores
  and summaries from the season's opener.  Producers that need the network (phase 1) or are
  opt-in (``default=False``) are added only when they were asked for: their history must
  already be there.
* :class:`HistoryGate` (a runner gate) refuses what is still incomplete after that, naming
  the missing range: a history partition without a successful run, or with a suspicious
  zero (the source lacked it).  ``--force`` overrides, as for every gate, and the ledger says so.

Windows are read within the partition's season: every model's history joins on the season.
Only days with games count (a day without games has nothing to read).  ``all`` inputs
(reference tables such as the player index) and ``optional`` inputs are not history.

**Feedback** inputs (``system_predictions`` calibrating on earlier dates'
``system_prediction_grades``) are history too: a run of the reader plans its writer on every
earlier game day of the season (and so the reader itself there: the writer grades what the
reader wrote), and the runner runs that loop date by date (`Registry.feedback_groups`), so a
date's calibration reads every earlier date's grades, wherever the run started.  The writer
is planned even when opt-in (it is part of the loop asked for); in a run that planned the
loop, the gate refuses a reader whose earlier grades are missing (an earlier date failed),
naming them, as for any other history.  A run that did not plan history (the runner API
without ``complete_history``, as ``predict --date`` calls it) still calibrates on the grades
that exist: that one path is not covered yet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from nbaprops.core.errors import NbapropsError
from nbaprops.ops.outcomes import Outcome, RunReport
from nbaprops.ops.windows import input_range
from nbaprops.storage.warehouse import Partition

if TYPE_CHECKING:
    from nbaprops.core.calendar import Calendar
    from nbaprops.ops.runner import Runner
    from nbaprops.pipeline.contract import Input, Processor
    from nbaprops.pipeline.registry import Registry

__all__ = ["HistoryGate", "expand", "history_dates", "plan_history"]

HISTORY_WINDOWS = ("before", "through")


def history_dates(calendar: Calendar, window: str, day: dt.date) -> list[dt.date]:
    """The game days of `day`'s season that a `window` input reads for partition `day`.

    The keys come from the one window rule (`ops.windows.input_range`); history is read
    within the partition's season, on days with games.  ``partition`` reads the day itself;
    other windows (``season``, ``all``) read no dated history.
    """
    if window == "partition":
        return [day]
    if window not in HISTORY_WINDOWS:
        return []
    try:
        first, _ = calendar.season_bounds(calendar.season_of(day))
    except NbapropsError:
        return []  # a season the schedule does not know: nothing to read
    keys = input_range(window, Partition("game_date", day), input_column="game_date", calendar=calendar)  # type: ignore[arg-type]
    return [
        d for d in calendar.dates(first, day) if keys.contains(d.isoformat()) and calendar.day(d).games > 0
    ]


def _producer(
    registry: Registry, inp: Input, asked: set[str], default: set[str], network: set[str]
) -> Processor | None:
    """The processor to materialise an input with, or None when it must already exist."""
    if inp.optional:
        return None
    up = registry.by_output.get(inp.table)
    if up is None or up.name in asked or up.name in default:
        return up
    if inp.feedback and up.name not in network:
        return up  # the loop's writer: part of what the reader's run needs
    return None  # network or opt-in (or reading them): run only when asked for


def expand(
    registry: Registry, calendar: Calendar, processors: Iterable[Processor], dates: Sequence[dt.date]
) -> dict[str, list[dt.date]]:
    """Every processor a run needs, with the dates it must cover.

    Args:
        registry: the processors and their DAG.
        calendar: the loaded schedule.
        processors: the processors asked for.
        dates: the dates asked for.

    Returns:
        processor name -> sorted dates (asked processors keep at least their own dates;
        season-partitioned producers get dates that map to their seasons).
    """
    asked = {p.name for p in processors}
    default = {p.name for p in registry.select()}  # no network scrapes, no opt-in work
    network = registry.network()
    need: dict[str, set[dt.date]] = {n: set(dates) for n in asked}
    changed = True
    while changed:  # readers come before producers in reverse DAG order; repeat until nothing grows
        changed = False
        for name in reversed(registry.order):
            if name not in need:
                continue
            proc = registry.by_name[name]
            for inp in proc.inputs:
                up = _producer(registry, inp, asked, default, network)
                if up is None:
                    continue
                window = inp.window
                if up.partition == "season":
                    wanted = set(need[name])
                else:
                    wanted = _window_union(calendar, window, need[name])
                have = need.setdefault(up.name, set())
                if not wanted <= have:
                    have |= wanted
                    changed = True
    return {n: sorted(ds) for n, ds in need.items()}


def plan_history(
    runner: Runner,
    processors: Sequence[Processor],
    dates: Sequence[dt.date],
    *,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> tuple[dict[str, list[dt.date]], RunReport]:
    """`expand` on the runner's calendar, loading the schedule first when the dates' seasons
    are not known yet (it stays in the plan; the report says what that load did).

    Returns:
        (processor -> dates, the report of the schedule load: empty when none was needed).
    """
    for gate in runner.gates:  # the feedback loops planned here are gated as history
        if isinstance(gate, HistoryGate):
            gate.loops = {p.name for p in processors if any(i.feedback for i in p.inputs)}
    plan = expand(runner.registry, runner.calendar, processors, dates)
    src = [runner.registry.by_name[n] for n in plan if runner.registry.by_name[n].calendar_source]
    cal = runner.calendar
    if src and any(cal.season_of(d) not in cal.seasons for d in dates):
        # the schedule's own sources in the plan (scraped games tables) load with it, first
        feeds = runner.registry.ancestors(src[0].name)
        first = [runner.registry.by_name[n] for n in plan if n in feeds]
        loaded = runner.run([*first, *src], plan[src[0].name], on_outcome=on_outcome, complete_history=False)
        return expand(runner.registry, runner.calendar, processors, dates), loaded
    return plan, RunReport()


def _window_union(calendar: Calendar, window: str, days: Iterable[dt.date]) -> set[dt.date]:
    """The union of a window's dates over many partitions (the latest day per season suffices)."""
    if window == "partition":
        return set(days)
    latest: dict[str, dt.date] = {}
    for d in days:
        s = calendar.season_of(d)
        latest[s] = max(latest.get(s, d), d)
    return {x for d in latest.values() for x in history_dates(calendar, window, d)}


class HistoryGate:
    """Blocks a date partition whose history windows are incomplete; a `Runner.gates` callable.

    Batch runs call `prepare` first, so one ledger query per input table answers every
    partition of the batch.
    """

    def __init__(self) -> None:
        self._ok: dict[str, set[str]] = {}
        self.loops: set[str] = set()
        """Readers of a feedback input whose loop the last planned run materialised: their
        feedback history is gated too (`plan_history` sets it)."""

    def history_inputs(self, runner: Runner, proc: Processor) -> list[tuple[Processor, str]]:
        """(producer, window) of each dated history input of a processor."""
        if proc.partition != "date":
            return []
        out: list[tuple[Processor, str]] = []
        for inp in proc.inputs:
            up = runner.registry.by_output.get(inp.table)
            if inp.optional or up is None or up.partition != "date":
                continue
            if inp.feedback and proc.name not in self.loops:
                continue
            if inp.window in HISTORY_WINDOWS:
                out.append((up, inp.window))
        return out

    def prepare(self, runner: Runner, proc: Processor, parts: Sequence[Partition]) -> None:
        """Read, once per producer, which history partitions have a good run."""
        days = [p.value for p in parts if isinstance(p.value, dt.date)]
        self._ok = {}
        for up, window in self.history_inputs(runner, proc):
            wanted = _window_union(runner.calendar, window, days)
            self._ok[up.name] = self._good(runner, up, wanted)

    @staticmethod
    def _good(runner: Runner, up: Processor, days: Iterable[dt.date]) -> set[str]:
        """The days whose latest run of `up` succeeded with the rows the schedule calls for.

        A zero on a day with final games the box scores cover is a gap even when the run
        called it expected because the source held nothing: the history lacks that day.
        """
        cal = runner.calendar
        latest = runner.ledger.latest([up.name], [d.isoformat() for d in days])
        good = set()
        for (_, k), last in latest.items():
            if last.status != "success":
                continue
            if not last.rows_written and up.per_game:
                day = cal.day(dt.date.fromisoformat(k))
                if day.box_final_games > 0 and not (day.bootstrap and up.built_from_history):
                    continue
            good.add(k)
        return good

    def __call__(self, runner: Runner, proc: Processor, part: Partition) -> str | None:
        """The reason to block the run, or None to let it go."""
        if not isinstance(part.value, dt.date) or runner.calendar.day(part.value).games == 0:
            return None  # a day without games reads nothing: its zero is expected
        day = part.value
        for up, window in self.history_inputs(runner, proc):
            wanted = [d for d in history_dates(runner.calendar, window, day) if d != day]
            if not wanted:
                continue
            ok = self._ok.get(up.name)
            if ok is None or not {d.isoformat() for d in wanted} <= ok:
                ok = self._good(runner, up, wanted)
            missing = [d for d in wanted if d.isoformat() not in ok]
            if missing:
                span = missing[0].isoformat() if len(missing) == 1 else f"{missing[0]} .. {missing[-1]}"
                return (
                    f"history incomplete: {up.output} lacks {len(missing)} of the {len(wanted)} "
                    f"game days it reads before {day} ({span}); run them first"
                )
        return None
