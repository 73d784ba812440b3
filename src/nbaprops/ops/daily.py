"""The daily cycle: the passes an operator schedules for one US/Eastern game date.

* **morning** — before the games: the schedule, the injury report and the prop lines of the
  date, the upcoming context, the availability, the defence-zone precompute that reads only
  earlier games, and the predictions;
* **update** — the same pre-game selection again, any number of times during the day: a
  new injury report or line snapshot re-runs what reads it, and everything whose inputs are
  unchanged is skipped by the runner's idempotency (the input hash);
* **night** — after the games: the box scores, the analytics built from them, the
  precompute that reads them, and the grades.

Which processor belongs to which pass is derived from the DAG, never listed by name: a
processor is *post-game* when it holds every final game (`Processor.covers_every_game`, the
canonical box scores and the summaries built from them) or is one of the scrapes whose
payloads exist only after the games (`AFTER_THE_GAMES`: gamebook, play-by-play, team box
score), or reads, for its own date and not as an optional input, the output of a post-game
processor or of a source feeding one (windows ``partition`` and ``through``; ``before``
reads only earlier dates).  The phase-1/2 sources feeding the
post-game processors run at night, the other sources in the morning; a source feeding both
(the schedule, the player index) runs in both (unchanged, it is skipped).

With ``scrape`` the pass also fetches the date's phase-1 kinds of its selection and parses
them (each fetch is a new snapshot: the scrapes of the pass are forced, and what they feed is
recomputed only where the parsed rows changed); without it, the pass runs on the public
archive alone (no network, no keys), as `run` does by default.

Every ledger row a pass writes carries its label (``morning 2025-10-22 3f9a1c``,
`Ledger.grouped`): ``nbaprops ledger --passes`` lists the passes, ``--group`` filters on them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal, get_args

from nbaprops.core.calendar import EASTERN, NIGHT_ENDS, game_night
from nbaprops.core.config import Settings
from nbaprops.core.errors import InputError
from nbaprops.ops import gates
from nbaprops.ops.alerts import notify_report
from nbaprops.ops.outcomes import Outcome, RunReport
from nbaprops.ops.pipeline import open_runner
from nbaprops.ops.runner import Runner
from nbaprops.pipeline.contract import Processor
from nbaprops.pipeline.registry import Registry

__all__ = [
    "MORNING_STARTS",
    "PASSES",
    "UPDATE_STARTS",
    "PassName",
    "PassReport",
    "due_pass",
    "pass_processors",
    "post_game",
    "run_pass",
]

PassName = Literal["morning", "update", "night"]
PASSES: tuple[PassName, ...] = get_args(PassName)
MORNING_STARTS = NIGHT_ENDS
"""From 06:00 Eastern the day's pre-game work is due (before it, the night of the day before)."""
UPDATE_STARTS = dt.time(12, 0)
"""From noon Eastern a pass chosen from the clock is an update (re-run of the pre-game work)."""
SAME_DATE_WINDOWS = ("partition", "through")
"""Windows that read the partition's own date (a ``before`` window reads only earlier dates)."""
AFTER_THE_GAMES = frozenset(
    {"scrape_nbac_gamebook_pdf", "scrape_nbac_play_by_play", "scrape_nbac_team_boxscore"}
)
"""Scrapes whose payloads exist only once the games are played (the DAG cannot say when a
payload exists: their readers use them as optional or ``before`` inputs)."""


def _sources_of(registry: Registry, names: Iterable[str]) -> set[str]:
    """The phase-1/2 processors feeding `names` for the same date, through phase-1/2
    processors only (a ``before`` window reads earlier dates: history the runner plans)."""
    found: set[str] = set()
    todo = list(names)
    while todo:
        for inp in registry.by_name[todo.pop()].inputs:
            up = registry.by_output.get(inp.table)
            if up is None or up.phase > 2 or up.name in found or inp.window == "before":
                continue
            found.add(up.name)
            todo.append(up.name)
    return found


def post_game(registry: Registry) -> set[str]:
    """Processors whose partition for a date needs that date's final games (see module doc)."""
    core = {
        n
        for n in registry.order
        if (p := registry.by_name[n]).covers_every_game or p.reports_disagreements or n in AFTER_THE_GAMES
    }  # a disagreement record compares final results: it waits for them
    results = core | _sources_of(registry, core)
    calendar = registry.calendar_source.name
    post = set(core)
    for name in registry.order:  # DAG order: a reader comes after what it reads
        p = registry.by_name[name]
        if name in post or name == calendar:
            continue
        for inp in p.inputs:
            up = registry.by_output.get(inp.table)
            if up is None or inp.feedback or inp.optional or inp.window not in SAME_DATE_WINDOWS:
                continue  # an optional input (after-the-fact refinements) never moves a reader
            if up.name in post or (up.name in results and up.name != calendar and p.phase <= 2):
                post.add(name)
                break
    return post


def pass_processors(registry: Registry, name: PassName, *, scrape: bool) -> list[Processor]:
    """The processors a pass runs, in DAG order (history they read is planned by the runner).

    Args:
        registry: the processors.
        name: ``morning``, ``update`` or ``night``.
        scrape: include the network processors (phase-1 scrapes and their parses).
    """
    post = post_game(registry)
    if name == "night":
        core = post
    else:
        pre_sources = _sources_of(registry, post)
        core = {n for n in registry.order if n not in post and n not in pre_sources}
    wanted = core | (_sources_of(registry, core) - (set() if name == "night" else post))
    allowed = {p.name for p in registry.select()}  # the archive path: no network, no opt-in
    if scrape:
        allowed |= registry.network() - registry.opt_in()
    return [registry.by_name[n] for n in registry.order if n in wanted and n in allowed]


def due_pass(now: dt.datetime) -> tuple[PassName, dt.date]:
    """The pass a clock-driven ``daily`` runs at `now`, and its game date (US/Eastern).

    00:00-05:59 Eastern: ``night`` of the day before; 06:00-11:59: ``morning``; from noon:
    ``update`` (a moment at 03:30 UTC on 23 Oct is 23:30 on 22 Oct in New York: an update of 22 Oct).
    """
    local = now.astimezone(EASTERN).time()
    if local < MORNING_STARTS:
        return "night", game_night(now)
    return ("morning" if local < UPDATE_STARTS else "update"), game_night(now)


@dataclass
class PassReport:
    """What one pass did."""

    name: PassName
    day: dt.date
    label: str
    scrape: bool
    processors: list[str]
    report: RunReport = field(default_factory=RunReport)


def pass_label(name: PassName, day: dt.date) -> str:
    """A new pass's ledger label: ``night 2025-10-22 3f9a1c``."""
    return f"{name} {day.isoformat()} {uuid.uuid4().hex[:6]}"


def run_pass(
    settings: Settings,
    name: str,
    day: dt.date,
    *,
    scrape: bool = False,
    runner: Runner | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> PassReport:
    """Run one pass for one game date; every ledger row it writes carries the pass's label.

    Raises:
        InputError: for an unknown pass name (before anything is opened).
    """
    if name not in PASSES:
        raise InputError(f"unknown pass {name!r}: one of {', '.join(PASSES)} (or auto)")
    which: PassName = name
    runner = runner or open_runner(settings)
    procs = pass_processors(runner.registry, which, scrape=scrape)
    out = PassReport(which, day, pass_label(which, day), scrape, [p.name for p in procs])
    with runner.ledger.grouped(out.label):
        fetch = [p for p in procs if p.phase == 1 and p.partition == "date"]
        if fetch:  # every fetch is a new snapshot: what it feeds re-runs only where it changed
            got = runner.run(fetch, [day], force=True, on_outcome=on_outcome)
            out.report.outcomes.extend(got.outcomes)
        rest = [p for p in procs if p not in fetch]
        if any(p.stale_when_final for p in rest):
            stale = gates.cleanup_stale_upcoming(runner)
            if stale is not None:
                out.report.outcomes.extend(stale.outcomes)
        got = runner.run(rest, [day], on_outcome=on_outcome, complete_history=True)
        out.report.outcomes.extend(got.outcomes)
    notify_report(settings, runner.wh, out.report)
    return out
