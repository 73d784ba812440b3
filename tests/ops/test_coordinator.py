"""The prediction coordinator: batches, breaker, heartbeat, no-games zero, grading."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from nbaprops.ops.coordinator import CircuitBreaker, Coordinator, grade_date
from nbaprops.ops.runner import Runner
from nbaprops.pipeline.predict.systems import Matchup, MovingAverage
from nbaprops.pipeline.predict.systems.base import Prediction

DAY = dt.date(2025, 11, 5)


class Boom:
    """A system that always fails."""

    name = "boom"
    version = "1"
    feature_set = "any"

    def __init__(self) -> None:
        self.calls = 0

    def fit(self, history: pd.DataFrame, as_of: dt.date) -> None:
        """Fitting works; predicting does not."""

    def predict(self, rows: pd.DataFrame) -> Prediction:
        self.calls += 1
        raise RuntimeError("boom")


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def test_breaker_opens_after_five_consecutive_failures_for_thirty_minutes() -> None:
    clock = Clock()
    b = CircuitBreaker(clock=clock)
    for _ in range(4):
        b.failure("x")
    assert b.allow("x")
    b.success("x")  # a success resets the count
    for _ in range(5):
        b.failure("x")
    assert not b.allow("x")
    assert b.allow("y")  # other systems go on
    clock.t = 29 * 60
    assert not b.allow("x")
    clock.t = 30 * 60 + 1
    assert b.allow("x")  # half-open: one trial
    b.failure("x")
    assert not b.allow("x")  # one more failure re-opens it


def test_failing_system_opens_its_breaker_and_the_others_go_on(built: Runner) -> None:
    boom = Boom()
    co = Coordinator(
        built.settings,
        built.wh,
        batch_size=10,
        workers=1,  # one worker: the fifth failure opens the breaker before a sixth call starts
        systems=[MovingAverage(), Matchup(), boom],  # type: ignore[list-item]
        code_version="test",
    )
    rep = co.predict_date(DAY, prepare=False)
    assert rep.batches > 5
    assert boom.calls == 5  # the breaker opened after five consecutive failures
    assert co.breaker.is_open("boom")
    assert "boom" in rep.skipped_systems
    got = built.wh.query(
        "SELECT system, count(*) AS n FROM system_predictions WHERE game_date = $d GROUP BY 1", {"d": DAY}
    ).to_pydict()
    counts = dict(zip(got["system"], got["n"], strict=True))
    assert set(counts) == {"moving_average", "matchup", "ensemble"}
    assert counts["ensemble"] == rep.players
    led = built.wh.rows(
        "SELECT status, rows_written, heartbeat_at > started_at FROM ops_ledger WHERE run_id = $r",
        {"r": rep.run_id},
    )
    assert led == [("success", rep.rows_written, True)]


def test_date_with_no_games_writes_a_legitimate_zero(built: Runner) -> None:
    day = dt.date(2025, 11, 27)  # Thanksgiving: no NBA games
    assert built.wh.rows("SELECT count(*) FROM schedule WHERE game_date = $d", {"d": day})[0][0] == 0
    rep = Coordinator(built.settings, built.wh, code_version="test").predict_date(day, prepare=False)
    assert rep.note == "no games scheduled"
    assert rep.rows_written == 0
    led = built.wh.rows(
        "SELECT status, rows_written, expected_zero, suspicious, note FROM ops_ledger WHERE run_id = $r",
        {"r": rep.run_id},
    )
    assert led == [("success", 0, True, False, "no games scheduled")]


def test_grade_after_predict(built: Runner) -> None:
    co = Coordinator(built.settings, built.wh, systems=[MovingAverage(), Matchup()], code_version="test")
    co.predict_date(DAY, prepare=False)
    rep = grade_date(built.settings, built.wh, DAY, force=True)
    assert rep.status == "success", rep.error
    assert rep.rows_written > 0
    res = dict(
        built.wh.rows(
            "SELECT result, count(*) FROM system_prediction_grades WHERE game_date = $d GROUP BY 1",
            {"d": DAY},
        )
    )
    assert res.get("PASS", 0) > 0
    assert res.get("WIN", 0) + res.get("LOSS", 0) > 0
    # a bet on a player who then had no box row is VOID, never a LOSS
    bad = built.wh.rows(
        "SELECT count(*) FROM system_prediction_grades WHERE game_date = $d AND actual_points IS NULL "
        "AND result = 'LOSS'",
        {"d": DAY},
    )[0][0]
    assert bad == 0
    assert {r["system"] for r in rep.by_system} == {"moving_average", "matchup", "ensemble"}
    assert sum(r["n"] for r in rep.reliability) == sum(r["decided"] for r in rep.by_edge) > 50
    assert {r["confidence"] for r in rep.by_confidence} <= {"<5pt", "5-10pt", "10pt+"}


@pytest.mark.parametrize("threshold", [1, 3])
def test_breaker_threshold_is_configurable(threshold: int) -> None:
    b = CircuitBreaker(threshold=threshold)
    for _ in range(threshold):
        b.failure("s")
    assert b.is_open("s")


def test_moving_average_system_matches_the_sql_baseline(built: Runner) -> None:
    """`MovingAverage` and ``predictions.sql`` give the same number for the same player-game."""
    Coordinator(built.settings, built.wh, systems=[MovingAverage()], code_version="test").predict_date(
        DAY, prepare=False
    )
    got = built.wh.rows(
        "SELECT count(*), max(abs(s.predicted_points - p.predicted_points)) "
        "FROM system_predictions s JOIN predictions p USING (game_code, player_id) "
        "WHERE s.game_date = $d AND p.game_date = $d AND s.system = 'moving_average' "
        "AND s.predicted_points IS NOT NULL AND p.predicted_points IS NOT NULL",
        {"d": DAY},
    )[0]
    assert got[0] > 100
    assert got[1] < 1e-2  # the SQL rounds to 3 decimals
