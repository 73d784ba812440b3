"""The one place processors are registered; the DAG is derived from their inputs.

Each phase's modules declare their own processors; this module alone composes them into
`PROCESSORS` (phase packages never import each other's processors to assemble a list).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from graphlib import CycleError, TopologicalSorter

from nbaprops.core.errors import InputError
from nbaprops.pipeline.analytics.player_availability import PLAYER_AVAILABILITY
from nbaprops.pipeline.analytics.player_game_summary import PLAYER_GAME_SUMMARY
from nbaprops.pipeline.analytics.team_defense_game_summary import TEAM_DEFENSE_GAME_SUMMARY
from nbaprops.pipeline.analytics.team_offense_game_summary import TEAM_OFFENSE_GAME_SUMMARY
from nbaprops.pipeline.analytics.upcoming_player_game_context import UPCOMING_PLAYER_GAME_CONTEXT
from nbaprops.pipeline.analytics.upcoming_team_game_context import UPCOMING_TEAM_GAME_CONTEXT
from nbaprops.pipeline.contract import Processor
from nbaprops.pipeline.precompute.ml_feature_store import ML_FEATURE_STORE
from nbaprops.pipeline.precompute.player_composite_factors import PLAYER_COMPOSITE_FACTORS
from nbaprops.pipeline.precompute.player_daily_cache import PLAYER_DAILY_CACHE
from nbaprops.pipeline.precompute.player_shot_zone_analysis import PLAYER_SHOT_ZONE_ANALYSIS
from nbaprops.pipeline.precompute.team_defense_zone_analysis import TEAM_DEFENSE_ZONE_ANALYSIS
from nbaprops.pipeline.predict.evaluation_predictions import EVALUATION_PREDICTIONS
from nbaprops.pipeline.predict.prediction_grades import PREDICTION_GRADES
from nbaprops.pipeline.predict.predictions import PREDICTIONS
from nbaprops.pipeline.predict.system_prediction_grades import SYSTEM_PREDICTION_GRADES
from nbaprops.pipeline.predict.system_predictions import SYSTEM_PREDICTIONS
from nbaprops.pipeline.raw.disagreements import SOURCE_DISAGREEMENTS
from nbaprops.pipeline.raw.game_lines import RAW_GAME_LINES
from nbaprops.pipeline.raw.payloads import PAYLOAD_PROCESSORS
from nbaprops.pipeline.raw.player_boxscores import RAW_PLAYER_BOXSCORES
from nbaprops.pipeline.raw.players import PLAYER_UNRESOLVED
from nbaprops.pipeline.raw.prop_lines import RAW_PROP_LINES
from nbaprops.pipeline.raw.schedule import SCHEDULE
from nbaprops.pipeline.raw.season_schedule import RAW_NBAC_SCHEDULE
from nbaprops.pipeline.scrape import SCRAPE_PROCESSORS

__all__ = ["PROCESSORS", "Registry", "default_registry"]

PROCESSORS: tuple[Processor, ...] = (
    SCHEDULE,
    RAW_PLAYER_BOXSCORES,
    RAW_PROP_LINES,
    PLAYER_GAME_SUMMARY,
    PLAYER_AVAILABILITY,
    TEAM_DEFENSE_GAME_SUMMARY,
    UPCOMING_PLAYER_GAME_CONTEXT,
    PLAYER_DAILY_CACHE,
    PLAYER_SHOT_ZONE_ANALYSIS,
    TEAM_DEFENSE_ZONE_ANALYSIS,
    PLAYER_COMPOSITE_FACTORS,
    ML_FEATURE_STORE,
    PREDICTIONS,
    PREDICTION_GRADES,
    SYSTEM_PREDICTIONS,
    SYSTEM_PREDICTION_GRADES,
    EVALUATION_PREDICTIONS,  # opt-in: `nbaprops evaluate`
    # the live sources (network: opt-in): phase-1 scrapes, then the phase-2 tables parsed from them
    *SCRAPE_PROCESSORS,
    *PAYLOAD_PROCESSORS,
    PLAYER_UNRESOLVED,
    # minutes and availability (w-minutes): game lines, team offense, team context before each game
    RAW_GAME_LINES,
    TEAM_OFFENSE_GAME_SUMMARY,
    UPCOMING_TEAM_GAME_CONTEXT,
    # canonical schedule sources and the disagreement record (w-schedule)
    SOURCE_DISAGREEMENTS,
    RAW_NBAC_SCHEDULE,
)


class Registry:
    """A set of processors and the DAG their inputs imply.

    Args:
        processors: the processors; names and output tables must be unique.

    Raises:
        ValueError: on a duplicate name/output or a dependency cycle.
    """

    def __init__(self, processors: Iterable[Processor]) -> None:
        self.by_name: dict[str, Processor] = {}
        self.by_output: dict[str, Processor] = {}
        for p in processors:
            if p.name in self.by_name or p.output in self.by_output:
                raise ValueError(f"processor {p.name} (table {p.output}) registered twice")
            self.by_name[p.name] = p
            self.by_output[p.output] = p
        self.order: list[str] = self._toposort()

    def upstream(self, name: str, *, required_only: bool = False) -> list[str]:
        """Processors whose outputs `name` reads directly (without `optional` inputs when
        `required_only`)."""
        p = self.by_name[name]
        deps = [
            self.by_output[i.table].name
            for i in p.inputs
            if i.table in self.by_output and not i.feedback and not (required_only and i.optional)
        ]
        return sorted(set(deps) | set(p.extra_depends))

    def ancestors(self, name: str) -> set[str]:
        """Every processor `name` depends on, directly or not."""
        seen: set[str] = set()
        todo = list(self.upstream(name))
        while todo:
            n = todo.pop()
            if n not in seen:
                seen.add(n)
                todo.extend(self.upstream(n))
        return seen

    def feedback_groups(self, names: Iterable[str]) -> list[list[str]]:
        """The loops that feedback inputs close among `names`, each in DAG order.

        When a processor reads earlier partitions of a table that a later processor of the
        same run writes, date D of the reader must wait for date D-1 of the writer: the
        reader, the writer and every processor on a path between them form a group that
        runs date by date, every member on D before any member on D+1.  Groups that share
        a member are one group.  Run a group when its last member is due: everything else
        it reads has run by then.
        """
        wanted = set(names)
        groups: list[set[str]] = []
        for reader in wanted:
            for inp in self.by_name[reader].inputs:
                writer = self.by_output.get(inp.table)
                if not inp.feedback or writer is None or writer.name not in wanted:
                    continue
                between = {
                    n for n in wanted if reader in self.ancestors(n) and n in self.ancestors(writer.name)
                }
                group = {reader, writer.name} | between
                for g in [g for g in groups if g & group]:
                    groups.remove(g)
                    group |= g
                groups.append(group)
        ranked = [[n for n in self.order if n in g] for g in groups]
        return sorted(ranked, key=lambda g: self.order.index(g[0]))

    def run_units(self, names: Iterable[str]) -> list[list[str]]:
        """`names` in DAG order as units of work: one processor, or a whole feedback group
        (`feedback_groups`) in the place of its last member."""
        wanted = set(names)
        loops = {g[-1]: g for g in self.feedback_groups(wanted)}
        in_loop = {n for g in loops.values() for n in g}
        return [loops.get(n, [n]) for n in self.order if n in wanted and (n in loops or n not in in_loop)]

    def _toposort(self) -> list[str]:
        ts: TopologicalSorter[str] = TopologicalSorter()
        for name in self.by_name:
            ts.add(name, *self.upstream(name))
        try:
            ranked = list(ts.static_order())
        except CycleError as exc:
            raise ValueError(f"processor dependency cycle: {exc.args[1]}") from exc
        phase = {n: self.by_name[n].phase for n in ranked}
        # stable: phase first, then dependency order
        return sorted(ranked, key=lambda n: (phase[n], ranked.index(n)))

    @property
    def calendar_source(self) -> Processor:
        """The processor whose output is the schedule the calendar reads (`Processor.calendar_source`).

        Raises:
            InputError: when the registry has none.
        """
        for p in self.by_name.values():
            if p.calendar_source:
                return p
        raise InputError("no processor in the registry provides the schedule (calendar_source)")

    def get(self, name: str) -> Processor:
        """A processor by name.

        Raises:
            InputError: for an unknown name, listing the known ones.
        """
        try:
            return self.by_name[name]
        except KeyError:
            known = ", ".join(self.order)
            raise InputError(f"unknown processor {name!r} (known: {known})") from None

    def select(
        self, names: Iterable[str] | None = None, phases: Iterable[int] | None = None
    ) -> list[Processor]:
        """Processors by name and/or phase, in DAG order (all when both are None)."""
        wanted = {self.get(n).name for n in names} if names else set(self.order)
        if not names and (phases is None or 1 not in set(phases)):
            wanted -= self.network()  # scrapes need the network: only when asked for by name or phase 1
        if not names:
            wanted -= self.opt_in()  # heavy processors: only when asked for by name
        if phases is not None:
            ph = set(phases)
            bad = ph - {1, 2, 3, 4, 5}
            if bad:
                raise InputError(f"unknown phase(s) {sorted(bad)}: phases are 1..5")
            wanted = {n for n in wanted if self.by_name[n].phase in ph}
        return [self.by_name[n] for n in self.order if n in wanted]

    def opt_in(self) -> set[str]:
        """Processors with ``default=False`` and everything that reads their output."""
        return {
            p.name
            for p in self.downstream(
                (n for n in self.order if not self.by_name[n].default), required_only=True
            )
        }

    def network(self) -> set[str]:
        """Phase-1 (scrape) processors and everything that reads their output."""
        return {
            p.name
            for p in self.downstream(
                (n for n in self.order if self.by_name[n].phase == 1), required_only=True
            )
        }

    def downstream(self, names: Iterable[str], *, required_only: bool = False) -> list[Processor]:
        """The given processors and everything that depends on them, in DAG order.

        With `required_only`, an ``optional`` input (`Input.optional`) is no dependency:
        its reader runs without the producer.
        """
        found = set(names)
        for n in self.order:
            if any(u in found for u in self.upstream(n, required_only=required_only)):
                found.add(n)
        return [self.by_name[n] for n in self.order if n in found]


@cache
def default_registry() -> Registry:
    """The registry of every built-in processor."""
    return Registry(PROCESSORS)
