"""Monitor: zero-row and failed runs of a recent window, each with its classification.

A zero-row or failed run is only an *alarm* if the data is really missing now.  The
real-world system this replaces showed thousands of "zero-record runs" of which most were
false alarms; here each is checked against the warehouse and the schedule, so false
alarms are counted instead of hiding the real losses.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from nbaprops.ops.ledger import LEDGER
from nbaprops.ops.runner import Runner
from nbaprops.ops.validate import validate
from nbaprops.storage.queries import monitor as q

__all__ = ["MonitorReport", "monitor"]


@dataclass
class MonitorReport:
    """Flagged runs and how many of them were false alarms."""

    columns: list[str] = field(
        default_factory=lambda: [
            "started_at",
            "processor",
            "partition",
            "status",
            "rows_written",
            "classification",
            "error",
        ]
    )
    rows: list[list[object]] = field(default_factory=list)
    false_alarms: int = 0
    expected: int = 0
    alarm_classes: Counter[str] = field(default_factory=Counter)
    """Real problems by classification (e.g. ``upstream_missing``: the source has no rows)."""

    @property
    def real(self) -> int:
        """Runs whose data is really missing or wrong now."""
        return sum(self.alarm_classes.values())

    def to_json(self) -> dict[str, object]:
        """A JSON-ready dict."""
        return {
            "runs": [dict(zip(self.columns, r, strict=True)) for r in self.rows],
            "false_alarms": self.false_alarms,
            "expected": self.expected,
            "real": self.real,
            "alarm_classes": dict(self.alarm_classes),
        }


def monitor(runner: Runner, since: dt.timedelta) -> MonitorReport:
    """Zero-row and failed runs started within `since`, classified against the warehouse now."""
    rep = MonitorReport()
    if not runner.wh.has_table(LEDGER):
        return rep
    cutoff = dt.datetime.now(dt.UTC) - since
    flagged = runner.wh.rows(q.FLAGGED_RUNS.format(table=LEDGER), {"c": cutoff})
    if not flagged:
        return rep
    names = {p for _, p, *_ in flagged if p in runner.registry.by_name}
    days = sorted({dt.date.fromisoformat(k) for _, p, k, *_ in flagged if p in names and len(k) == 10})
    findings = {(f.processor, f.partition): f for f in validate(runner, days, processors=names)}
    for started, proc, part, status, rows, error, expected_zero in flagged:
        f = findings.get((proc, part))
        if f is None and status == "success" and expected_zero:
            cls = "expected zero"  # the runner said so when it ran (e.g. no upcoming games)
            rep.expected += 1
        elif f is None:
            cls = "ok now (false alarm)"
            rep.false_alarms += 1
        elif f.alarm:
            cls = f.classification
            rep.alarm_classes[cls] += 1
        else:
            cls = f.classification
            rep.expected += 1
        rep.rows.append([started, proc, part, status, rows, cls, error])
    return rep
