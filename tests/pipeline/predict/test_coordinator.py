"""The prediction coordinator as the runner's build of ``system_predictions``: batches,
breaker, heartbeat, a failed batch, no-games zero."""

from __future__ import annotations

import datetime as dt
import threading

import pandas as pd
import pytest

from nbaprops.ops.predict import predict_date
from nbaprops.ops.runner import Runner
from nbaprops.pipeline.predict.coordinator import Coordinator
from nbaprops.pipeline.predict.systems import Matchup, MovingAverage
from nbaprops.pipeline.predict.systems.base import Prediction

DAY = dt.date(2025, 11, 5)


class Boom:
    """A system that always fails to predict."""

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


def test_failing_system_opens_its_breaker_and_the_others_go_on(built: Runner) -> None:
    boom = Boom()
    co = Coordinator(
        batch_size=10,
        workers=1,  # one worker: the fifth failure opens the breaker before a sixth call starts
        systems=[MovingAverage(), Matchup(), boom],  # type: ignore[list-item]
    )
    rep = predict_date(built.settings, built.wh, DAY, coordinator=co, prepare=False)
    assert rep.status == "success", rep.error
    assert rep.batches is not None and rep.batches > 5
    assert boom.calls == 5  # the breaker opened after five consecutive failures
    assert co.breaker.is_open("boom")
    assert co.breaker.state("matchup") == "closed"
    assert "boom" in rep.skipped_systems
    counts = {r["system"]: r["players"] for r in rep.summary}
    assert set(counts) == {"moving_average", "matchup", "ensemble"}
    assert counts["ensemble"] == rep.players
    led = built.wh.rows(
        "SELECT status, rows_written, heartbeat_at > started_at FROM ops_ledger WHERE run_id = $r",
        {"r": rep.run_id},
    )
    assert led == [("success", rep.rows_written, True)]  # the coordinator heartbeats the runner's row


class Stuck:
    """A system whose predictions hang until released."""

    name = "stuck"
    version = "1"
    feature_set = "any"

    def __init__(self) -> None:
        self.release = threading.Event()

    def fit(self, history: pd.DataFrame, as_of: dt.date) -> None:
        """Fitting works."""

    def predict(self, rows: pd.DataFrame) -> Prediction:
        self.release.wait(60)
        raise RuntimeError("released")


def test_a_batch_past_its_timeout_fails_the_partition_and_writes_nothing(built: Runner) -> None:
    stuck = Stuck()
    co = Coordinator(batch_timeout=0.05, workers=1, systems=[MovingAverage(), stuck])  # type: ignore[list-item]
    try:
        rep = predict_date(built.settings, built.wh, DAY, coordinator=co, prepare=False)
    finally:
        stuck.release.set()
    assert rep.status == "failed"
    assert rep.error is not None and "batch 1: timed out after 0.05s" in rep.error
    assert not built.wh.has_table("system_predictions") or built.wh.rows(
        "SELECT count(*) FROM system_predictions WHERE game_date = $d", {"d": DAY}
    ) == [(0,)]
    led = built.wh.rows(
        "SELECT status, rows_written, error FROM ops_ledger WHERE run_id = $r", {"r": rep.run_id}
    )
    assert led == [("failed", None, rep.error)]


def test_date_with_no_games_writes_a_legitimate_zero(built: Runner) -> None:
    day = dt.date(2025, 11, 27)  # Thanksgiving: no NBA games
    assert built.wh.rows("SELECT count(*) FROM schedule WHERE game_date = $d", {"d": day})[0][0] == 0
    rep = predict_date(built.settings, built.wh, day, coordinator=Coordinator(), prepare=False)
    assert rep.status == "success" and rep.rows_written == 0
    led = built.wh.rows(
        "SELECT status, rows_written, expected_zero, suspicious FROM ops_ledger WHERE run_id = $r",
        {"r": rep.run_id},
    )
    assert led == [("success", 0, True, False)]


def test_moving_average_system_matches_the_sql_baseline(built: Runner) -> None:
    """`MovingAverage` and ``predictions.sql`` give the same number for the same player-game."""
    predict_date(
        built.settings, built.wh, DAY, coordinator=Coordinator(systems=[MovingAverage()]), prepare=False
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


@pytest.mark.parametrize("threshold", [1, 3])
def test_breaker_threshold_is_configurable(threshold: int) -> None:
    from nbaprops.core.breaker import CircuitBreaker

    co = Coordinator(breaker=CircuitBreaker(threshold))
    for _ in range(threshold):
        co.breaker.failure("s")
    assert co.breaker.is_open("s")
