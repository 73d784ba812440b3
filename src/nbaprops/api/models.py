"""Typed response models of the read API (they make its OpenAPI schema)."""

from __future__ import annotations

import datetime as dt
from typing import Generic, TypeVar

from pydantic import BaseModel, Field

__all__ = [
    "CalibrationPoint",
    "CallResult",
    "Coverage",
    "CoverageCell",
    "EdgeBucket",
    "Finding",
    "GradeDetail",
    "GradeSummary",
    "Grades",
    "Health",
    "Page",
    "PhasePass",
    "Pick",
    "Picks",
    "PlayerDetail",
    "PlayerGame",
    "PlayerLine",
    "Run",
    "SeriesPoint",
]

T = TypeVar("T")

Interval = tuple[float, float]


class Page(BaseModel, Generic[T]):
    """One page of a list: ``total`` rows match, ``items`` holds ``offset`` .. ``offset + limit``."""

    total: int
    limit: int
    offset: int
    items: list[T]


class Pick(BaseModel):
    """One call of one system for one player and game."""

    game_date: dt.date
    game_code: str
    player_id: int
    player_name: str | None
    team: str | None
    opponent: str | None
    source: str = Field(description="Table the call comes from: predictions or system_predictions.")
    system: str
    market: str
    line: float
    book: str | None = Field(description="Book offering the line at the best price for the call.")
    over_odds: float | None
    under_odds: float | None
    price: float | None = Field(description="American odds of the side taken (None for a PASS).")
    side: str = Field(description="OVER, UNDER or PASS.")
    prediction: float | None
    p_over: float | None = Field(description="Calibrated P(over), where the system gives one.")
    edge: float | None = Field(description="prediction - line, in points.")
    stake: float | None = Field(description="Units to stake, where the predictions carry a size.")
    reason: str | None = Field(description="Why a PASS.")
    actual_points: float | None = Field(description="Points scored, once graded.")
    result: str | None = Field(description="WIN/LOSS/PUSH/VOID/PASS, once graded.")
    profit: float | None


class Picks(Page[Pick]):
    """A date's calls with what is known about who is ruled out."""

    date: dt.date
    availability: str = Field(description="'tracked' or 'not tracked' (no player_availability table).")
    ruled_out: int | None = Field(description="Players whose latest status for the date is out.")
    latest_date: dt.date | None = Field(description="The latest date on or before `date` with calls.")
    markets: list[str]
    books: list[str]
    systems: list[str]


class GradeSummary(BaseModel):
    """One system's graded record over a date range."""

    source: str
    system: str
    n: int = Field(description="Graded predictions of players who played.")
    mae: float | None
    n_bets: int
    bet_wins: int
    hit_rate: float | None = Field(description="Wins / (wins + losses) of the OVER/UNDER calls.")
    hit_rate_ci: Interval | None = Field(description="Wilson 95% interval of the hit rate.")
    roi: float | None = Field(description="Mean profit per 1-unit bet.")
    roi_ci: Interval | None = Field(description="Bootstrap 95% interval of the ROI.")
    hit_rate_edge1: float | None
    hit_rate_edge1_ci: Interval | None
    n_edge1: int
    hit_rate_edge3: float | None
    hit_rate_edge3_ci: Interval | None
    n_edge3: int
    brier: float | None


class Grades(Page[GradeSummary]):
    """Graded record per system over a date range."""

    start: dt.date
    end: dt.date
    market: str | None


class SeriesPoint(BaseModel):
    """A system's cumulative record up to one date."""

    source: str
    system: str
    game_date: dt.date
    n_bets: int
    hit_rate: float | None
    hit_rate_ci: Interval | None
    roi: float | None
    roi_ci: Interval | None


class CalibrationPoint(BaseModel):
    """One P(over) bucket: mean predicted vs observed over rate."""

    source: str
    system: str
    bucket: int
    n: int
    predicted: float
    observed: float


class EdgeBucket(BaseModel):
    """Bets of one system in one |edge| bucket."""

    source: str
    system: str
    bucket: str
    n_bets: int
    hit_rate: float | None
    hit_rate_ci: Interval | None
    roi: float | None


class GradeDetail(BaseModel):
    """What the Performance page draws: cumulative series, calibration and edge buckets."""

    start: dt.date
    end: dt.date
    series: list[SeriesPoint]
    calibration: list[CalibrationPoint]
    edge_buckets: list[EdgeBucket]


class PhasePass(BaseModel):
    """The last successful run of a phase."""

    phase: int
    finished_at: dt.datetime | None
    partition: str | None = Field(description="The latest partition any processor of the phase wrote.")


class Health(BaseModel):
    """Is the service up, can it read the warehouse, how recent is each phase."""

    status: str = Field(description="'ok', or 'degraded' when the warehouse cannot be read.")
    code_version: str
    warehouse: str
    warehouse_reachable: bool
    detail: str | None = Field(description="Why the warehouse cannot be read (e.g. a writer holds it).")
    phases: list[PhasePass]


class Run(BaseModel):
    """One ledger row."""

    run_id: str
    processor: str
    partition: str
    status: str
    rows_written: int | None
    suspicious: bool | None
    code_version: str | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    attempt: int | None
    error: str | None


class Finding(BaseModel):
    """One classified gap found by ``validate``."""

    processor: str
    partition: str
    phase: int
    classification: str
    alarm: bool
    expected: int | None
    ledger: int | None
    warehouse: int
    detail: str


class CoverageCell(BaseModel):
    """One processor on one date: ``ok`` or the validate class of its gap."""

    processor: str
    partition: str
    classification: str


class Coverage(BaseModel):
    """A season's validation report: coverage per phase group and every gap."""

    season: str
    dates: int
    games: int
    coverage_pct: dict[str, float | None] = Field(description="Healthy share of partitions per phase group.")
    alarms: int
    by_class: dict[str, int]
    findings: Page[Finding]


class PlayerGame(BaseModel):
    """One box-score row."""

    game_date: dt.date
    game_code: str
    team: str | None
    opponent: str | None
    is_home: bool | None
    minutes: float | None
    points: int | None
    rebounds: int | None
    assists: int | None
    dnp: bool | None


class PlayerLine(BaseModel):
    """One book's primary line on the player."""

    game_date: dt.date
    game_code: str | None
    market: str
    bookmaker: str
    line: float | None
    over_odds: float | None
    under_odds: float | None


class CallResult(BaseModel):
    """A call on the player and what happened."""

    game_date: dt.date
    game_code: str
    player_name: str | None
    source: str
    system: str
    line: float
    side: str
    prediction: float | None
    edge: float | None
    actual_points: float | None
    result: str | None


class PlayerDetail(BaseModel):
    """A player's recent games, the lines offered and the calls made, against what happened."""

    player_id: int
    player_name: str | None
    team: str | None
    games: list[PlayerGame]
    lines: list[PlayerLine]
    calls: list[CallResult]
