"""Targeted self-healing: the minimal reprocessing that closes the gaps `validate` found.

Plan, per alarm finding:

* ``tampered``, ``tracking_mismatch``, ``real_loss``, ``partial``, ``audit_failed``,
  ``blocked_by_gate``: re-run that processor for that partition (forced: its inputs may look
  unchanged, and a change behind the ledger's back changed no input hash).  A raw processor
  re-parses what its source holds;
* ``upstream_missing``: the source holds nothing, so a re-run cannot help; the plan lists
  it as needing a re-scrape (or the upstream file back) and leaves it;
* then every downstream processor over the affected dates, *not* forced: the runner's
  input hashes skip every partition whose inputs came back identical, so only what really
  changed is rebuilt.  Only processors the ledger shows were run in the range are part of
  it: an opt-in processor (`Processor.default` False) nobody ran there is never started.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from nbaprops.ops.ledger import LEDGER
from nbaprops.ops.runner import Outcome, Runner, RunReport
from nbaprops.ops.validate import Finding
from nbaprops.storage.queries import heal as q

__all__ = ["HealPlan", "heal", "plan_heal"]

RERUN = frozenset(
    {"tampered", "tracking_mismatch", "real_loss", "partial", "audit_failed", "blocked_by_gate"}
)


@dataclass
class HealPlan:
    """What `heal` will do."""

    rerun: list[tuple[str, str]] = field(default_factory=list)
    """(processor, partition) re-run with force."""
    downstream: list[str] = field(default_factory=list)
    """Processors re-checked downstream (idempotent: unchanged partitions are skipped)."""
    unhealable: list[Finding] = field(default_factory=list)
    """Gaps a re-run cannot close (the upstream has nothing)."""


def _ran_in_range(runner: Runner, dates: Sequence[dt.date]) -> set[str]:
    """Processors the ledger has any run of over the partitions covering `dates`."""
    if not runner.wh.has_table(LEDGER) or not dates:
        return set()
    keys = {d.isoformat() for d in dates}
    for proc in runner.registry.by_name.values():
        if proc.partition == "season":
            keys.update(str(v) for v in runner.partitions_for(proc, dates))
    got = runner.wh.rows(q.PROCESSORS_IN_RANGE.format(table=LEDGER), {"partitions": sorted(keys)})
    return {p for (p,) in got}


def plan_heal(runner: Runner, findings: list[Finding], dates: Sequence[dt.date] = ()) -> HealPlan:
    """The minimal plan for the alarm findings (non-alarms are left alone).

    Downstream processors are those of the re-run ones that the ledger shows were run over
    `dates` (so heal never extends the range to processors that were not part of it).
    """
    plan = HealPlan()
    for f in findings:
        if f.classification in RERUN:
            plan.rerun.append((f.processor, f.partition))
        elif f.classification == "upstream_missing":
            plan.unhealable.append(f)
    targets = {p for p, _ in plan.rerun}
    ran = _ran_in_range(runner, [*dates, *_finding_dates(runner, plan.rerun)])
    plan.downstream = [
        p.name for p in runner.registry.downstream(targets) if p.name not in targets and p.name in ran
    ]
    return plan


def _finding_dates(runner: Runner, rerun: list[tuple[str, str]]) -> list[dt.date]:
    """The dates of the re-run partitions (a season's first date for season partitions)."""
    out: list[dt.date] = []
    for name, key in rerun:
        if runner.registry.by_name[name].partition == "date":
            out.append(dt.date.fromisoformat(key))
        else:
            out.append(runner.calendar.season_bounds(key)[0])
    return out


def heal(
    runner: Runner,
    findings: list[Finding],
    dates: list[dt.date],
    *,
    dry_run: bool = False,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> tuple[HealPlan, RunReport]:
    """Plan and (unless `dry_run`) run the repairs.

    Args:
        runner: the runner on the warehouse to heal.
        findings: what `validate` found over `dates`.
        dates: the validated dates (downstream processors are re-checked over them).
        dry_run: only plan.
        on_outcome: progress callback.
    """
    plan = plan_heal(runner, findings, dates)
    report = RunReport()
    if dry_run or not (plan.rerun or plan.downstream):
        return plan, report
    reg = runner.registry
    by_proc: dict[str, list[str]] = {}
    for name, key in plan.rerun:
        by_proc.setdefault(name, []).append(key)
    for name in reg.order:
        proc = reg.by_name[name]
        if name in by_proc:
            keys = by_proc[name]
            values = [dt.date.fromisoformat(k) for k in keys] if proc.partition == "date" else keys
            part_dates = (
                values if proc.partition == "date" else [runner.calendar.season_bounds(k)[0] for k in keys]
            )
            forced = runner.run([proc], part_dates, force=True, on_outcome=on_outcome)  # type: ignore[arg-type]
            report.outcomes.extend(o for o in forced.outcomes if o.partition in keys)
        if name in plan.downstream or name in by_proc:
            again = runner.run([proc], dates, on_outcome=on_outcome)
            report.outcomes.extend(o for o in again.outcomes if o.status != "skipped")
    return plan, report
