"""Closing-line value on snapshots built from the recorded Odds API props payload.

Only one props payload is recorded (``oddsa_player_props_his/raw_815b3ee3.json``), and it holds the
event's game markets only, taken 35 minutes *after* tip.  So, as the parser tests do, a
``player_points`` market is spliced into its bookmakers, and three snapshots are made of it:
the call's (3 hours before tip), the close (10 minutes before tip, Curry's line moved up a point
with the over now the favourite), and the recorded time itself after tip (the line moved down,
in-game), which must be ignored.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import numpy as np
import pandas as pd
import pytest

from _support import FIXTURES
from nbaprops.pipeline.predict.clv import closing_line_value, clv_summary
from nbaprops.pipeline.predict.pricing import devig
from nbaprops.pipeline.raw.parsers import parse_payload

RECORDED = FIXTURES / "oddsa_player_props_his" / "raw_815b3ee3.json"
KEY = ["game_code", "player_lookup", "market"]


def _props(doc: dict[str, Any], at: dt.datetime, curry: tuple[float, float, float]) -> bytes:
    d = copy.deepcopy(doc)
    d["timestamp"] = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    line, over, under = curry
    for b in d["data"]["bookmakers"]:
        b["markets"].append({"key": "player_points", "last_update": d["timestamp"], "outcomes": [
            {"name": "Over", "description": "Stephen Curry", "price": over, "point": line},
            {"name": "Under", "description": "Stephen Curry", "price": under, "point": line},
            {"name": "Over", "description": "Trae Young", "price": 1.87, "point": 26.5},
            {"name": "Under", "description": "Trae Young", "price": 1.95, "point": 26.5}]})  # fmt: skip
    return json.dumps(d).encode()


def _american(decimal: pd.Series) -> np.ndarray:
    d = decimal.to_numpy(float)
    return np.where(d >= 2.0, (d - 1.0) * 100.0, -100.0 / (d - 1.0))


@pytest.fixture(scope="module")
def snapshots() -> pd.DataFrame:
    doc = json.loads(RECORDED.read_text())
    tip = dt.datetime.fromisoformat(doc["data"]["commence_time"].replace("Z", "+00:00"))
    recorded = dt.datetime.fromisoformat(doc["timestamp"].replace("Z", "+00:00"))
    assert recorded > tip  # the recording is in-game: a snapshot CLV must not use
    frames = []
    for at, curry in (
        (tip - dt.timedelta(hours=3), (27.5, 1.9, 1.87)),
        (tip - dt.timedelta(minutes=10), (28.5, 1.8, 2.0)),
        (recorded, (25.5, 1.9, 1.9)),
    ):
        t = parse_payload("oddsa_player_props_his", _props(doc, at, curry)).to_pandas()
        frames.append(t)
    q = pd.concat(frames, ignore_index=True)
    q["over_odds"], q["under_odds"] = _american(q["over_price"]), _american(q["under_price"])
    return q.assign(game_time_utc=pd.Timestamp(tip), is_primary_line=True)


def _calls(snapshots: pd.DataFrame, side: str, at: pd.Timestamp) -> pd.DataFrame:
    first = snapshots[snapshots["snapshot_time"] == at].drop_duplicates(KEY)
    return first[KEY].assign(recommendation=side, snapshot_time=at).reset_index(drop=True)


def test_clv_is_positive_when_the_market_moves_toward_the_call(snapshots: pd.DataFrame) -> None:
    t0 = snapshots["snapshot_time"].min()
    over = closing_line_value(_calls(snapshots, "OVER", t0), snapshots, KEY).set_index("player_lookup")
    under = closing_line_value(_calls(snapshots, "UNDER", t0), snapshots, KEY).set_index("player_lookup")
    curry = "stephencurry"
    assert over.loc[curry, "clv_line"] == 1.0 and under.loc[curry, "clv_line"] == -1.0
    # the close is the last snapshot *before tip*, not the in-game recording (25.5)
    assert over.loc[curry, "close_line"] == 28.5
    assert over.loc[curry, "close_snapshot_time"] < snapshots["game_time_utc"].iloc[0]
    p_open = devig(_american(pd.Series([1.9])), _american(pd.Series([1.87])))[0]
    p_close = devig(_american(pd.Series([1.8])), _american(pd.Series([2.0])))[0]
    assert over.loc[curry, "clv_prob"] == pytest.approx(p_close - p_open) and p_close > p_open
    assert under.loc[curry, "clv_prob"] == pytest.approx(p_open - p_close)
    assert over.loc["traeyoung", "clv_line"] == 0.0 and over.loc["traeyoung", "clv_prob"] == pytest.approx(
        0.0
    )
    s = clv_summary(over.reset_index())
    assert s["n_clv"] == 2 and s["beat_close"] == 0.5


def test_clv_is_undefined_without_a_later_snapshot(snapshots: pd.DataFrame) -> None:
    close = snapshots[snapshots["snapshot_time"] < snapshots["game_time_utc"]]["snapshot_time"].max()
    got = closing_line_value(_calls(snapshots, "OVER", close), snapshots, KEY)
    assert got["clv_line"].isna().all() and got["clv_prob"].isna().all()
    one_snapshot = snapshots.assign(snapshot_time=pd.NaT)  # the public archive: no snapshot times
    got = closing_line_value(_calls(snapshots, "OVER", close), one_snapshot, KEY)
    assert got["clv_prob"].isna().all()
    assert clv_summary(got)["n_clv"] == 0


def test_real_threes_snapshots_give_clv_exactly_where_a_later_pre_tip_snapshot_exists() -> None:
    """The archive's historical threes have timed snapshots and tip times: CLV is defined there."""
    from _support import DATA
    from nbaprops.pipeline.predict.market_calls import with_snapshot_times

    o = pd.read_parquet(
        DATA / "props_other_markets.parquet",
        filters=[("market", "=", "player_threes"), ("game_date", "<", pd.Timestamp("2025-04-08"))],
    )
    q = with_snapshot_times(o)
    q = q[q["snapshot_time"].notna() & q["is_primary_line"]]
    assert len(q) > 1000
    key = ["game_key", "player_name_norm", "market"]
    first = q.groupby(key)["snapshot_time"].min().rename("snapshot_time").reset_index()
    got = closing_line_value(first.assign(recommendation="UNDER"), q, key)
    before_tip = q[q["snapshot_time"] < q["game_time_utc"]]
    n_snaps = before_tip.groupby(key)["snapshot_time"].nunique()
    has_later = np.array([n_snaps.get(k, 0) > 1 for k in got.set_index(key).index])
    assert has_later.sum() > 100  # real moves to measure
    assert got.loc[has_later, "clv_prob"].notna().all() and got.loc[~has_later, "clv_prob"].isna().all()
    moved = got.loc[has_later]
    assert ((moved["open_line"] - moved["close_line"]) == moved["clv_line"]).all()  # UNDER: down is toward
    assert (moved["close_snapshot_time"] > moved["snapshot_time"]).all()
    untimed = closing_line_value(first.assign(recommendation="UNDER"), q.assign(game_time_utc=pd.NaT), key)
    assert untimed["clv_prob"].isna().all()  # no tip time: a close cannot be told from an in-game quote
