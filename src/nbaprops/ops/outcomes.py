"""What a runner call reports: one `Outcome` per (processor, partition), in a `RunReport`."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Outcome", "RunReport"]


@dataclass(frozen=True)
class Outcome:
    """What happened to one (processor, partition)."""

    processor: str
    partition: str
    status: str
    rows_written: int | None = None
    suspicious: bool = False
    error: str | None = None
    run_id: str | None = None


@dataclass
class RunReport:
    """Every outcome of one runner call."""

    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        """Outcomes with a given status."""
        return sum(o.status == status for o in self.outcomes)

    @property
    def failed(self) -> list[Outcome]:
        """The failed outcomes."""
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def suspicious(self) -> list[Outcome]:
        """Successful runs that wrote zero rows where rows were expected."""
        return [o for o in self.outcomes if o.suspicious]
