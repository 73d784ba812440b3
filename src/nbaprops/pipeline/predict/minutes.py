"""Minutes-first features: expected minutes, per-minute rates, availability redistribution.

Called by `features.build_features` (one feature definition for every system).  Every value
of a row dated D is built from rows strictly before D, plus the team context of D's game:
``upcoming_team_game_context`` (who is out, rest, the game's spread and total), either read
from the warehouse or computed here by running the *same SQL models*
(``team_offense_game_summary.sql``, ``upcoming_team_game_context.sql``) on the in-memory
frames, so the walk-forward and the warehouse share one definition of who is out.

Rules (per player row, as of the date):
- ``min_base`` = 0.5 min_l5 + 0.3 min_l10 + 0.2 min_l20 (the player's last games, any season).
- ``rate_<s>`` per minute for s in `STATS`: (sum of s over his last 20 games with the stat
  known + `PRIOR_MINUTES` x his career rate before those) / (their minutes + `PRIOR_MINUTES`).
- Teammates out: the team's ``out_players`` minus the player himself.  Their minutes
  (``tm_out_minutes``, each one's mean over his last 10 games) go to the players of the
  team's latest game in proportion to their own minutes:
  ``exp_minutes = min(48, min_base * (1 + tm_out_minutes / rotation_minutes))``.
- Usage: the out players' share of the team's stat s (``s_out``, their 10-game means over
  the team's 10-game mean) is redistributed over the remaining minutes, so the team total
  stays the same: ``usage_<s> = clip((1 - tm_out_minutes / 240) / (1 - s_out), 0.7, 1.5)``.
- ``exp_<s> = exp_minutes * rate_<s> * usage_<s>``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

__all__ = [
    "CONTEXT_FEATURES",
    "MINUTES_FEATURES",
    "PRIOR_MINUTES",
    "STATS",
    "add_minutes_features",
    "team_context",
]

STATS: tuple[str, ...] = ("pts", "reb", "ast", "fg3m", "stl", "blk")
"""Stats with a per-minute rate and an expectation (``pts`` is the ``points`` column)."""
PRIOR_MINUTES = 50.0
"""Minutes of the player's career rate mixed into his last-20-games rate."""
TEAM_MINUTES = 240.0

CONTEXT_FEATURES: tuple[str, ...] = (
    "team_rest_days",  # days since the team's previous game of the season (10 when none)
    "team_games_last_7d",
    "travelled",  # 1 when the previous game was at another venue
    "game_total",  # the game's over/under (NaN where the archive has no line)
    "abs_spread",  # |spread|: blowout risk (NaN where no line)
    "implied_team_points",
    "team_pace_l10",
    "opp_pace_l10",
    "opp_def_rating_l10",
    "teammates_out",  # count, himself excluded
    "tm_out_minutes",
)
MINUTES_FEATURES: tuple[str, ...] = (
    "min_l20",
    "min_base",
    "exp_minutes",
    *(f"rate_{s}" for s in STATS),
    *(f"usage_{s}" for s in STATS),
    *(f"exp_{s}" for s in STATS),
)

_ANALYTICS = Path(__file__).resolve().parents[1] / "analytics"
_STAT_COLUMN = {"pts": "points"}


def _column(s: str) -> str:
    return _STAT_COLUMN.get(s, s)


def _schedule(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per game (from both teams' rows): the columns the SQL models read."""
    g = rows.dropna(subset=["team", "opponent", "is_home"])
    home = g[g["is_home"] == 1]
    away = g[g["is_home"] == 0]
    h = home.groupby("game_key").agg(
        game_date=("game_date", "first"),
        season=("season", "first"),
        home_team=("team", "first"),
        away_team=("opponent", "first"),
    )
    a = away.groupby("game_key").agg(home_team_a=("opponent", "first"), away_team_a=("team", "first"),
                                     game_date_a=("game_date", "first"), season_a=("season", "first"))  # fmt: skip
    s = h.join(a, how="outer")
    s["home_team"] = s["home_team"].fillna(s["home_team_a"])
    s["away_team"] = s["away_team"].fillna(s["away_team_a"])
    s["game_date"] = s["game_date"].fillna(s["game_date_a"])
    s["season"] = s["season"].fillna(s["season_a"])
    s = s.reset_index()[["game_key", "game_date", "season", "home_team", "away_team"]]
    s["game_code"] = _game_code(s["game_key"])
    s["home_pts"] = pd.Series(pd.NA, index=s.index, dtype="Int64")
    s["away_pts"] = pd.Series(pd.NA, index=s.index, dtype="Int64")
    s["status"] = "scheduled"
    return s


def _game_code(keys: pd.Series) -> pd.Series:
    k = keys.astype(str)
    return k.str.slice(0, 10).str.replace("-", "", regex=False) + "_" + k.str.slice(11).str.replace("@", "_")


def _summary(games: pd.DataFrame) -> pd.DataFrame:
    """Game rows shaped like ``player_game_summary`` (the columns the SQL models read)."""
    out = pd.DataFrame(
        {
            "game_date": games["game_date"],
            "season": games["season"],
            "game_code": _game_code(games["game_key"]),
            "team": games["team"],
            "opponent": games["opponent"],
            "is_home": games["is_home"].astype(bool),
            "player_id": games["player_id"],
            "player_name": games.get("player_name", pd.Series(None, index=games.index, dtype="object")),
            "minutes": games["minutes"],
            "points": games["points"],
        }
    )
    for col, src in (
        ("rebounds", "reb"),
        ("assists", "ast"),
        ("fg3m", "fg3m"),
        ("steals", "stl"),
        ("blocks", "blk"),
        ("turnovers", "tov"),
        ("fgm", "fgm"),
        ("fga", "fga"),
        ("fg3a", "fg3a"),
        ("ftm", "ftm"),
        ("fta", "fta"),
        ("offensive_rebounds", "oreb"),
    ):
        out[col] = games[src].astype("float64") if src in games.columns else np.nan
    has = games["has_shooting_counts"] if "has_shooting_counts" in games.columns else False
    out["has_shooting_counts"] = pd.Series(has, index=games.index).fillna(False).astype(bool)
    return out


def team_context(
    games: pd.DataFrame, targets: pd.DataFrame | None = None, game_lines: pd.DataFrame | None = None
) -> pd.DataFrame:
    """``upcoming_team_game_context`` rows for every game of `games` and `targets`.

    Runs ``team_offense_game_summary.sql`` then ``upcoming_team_game_context.sql`` in an
    in-memory DuckDB on frames shaped like their warehouse inputs (no injury reports: the
    archive rule decides who is out).
    """
    from nbaprops.pipeline.analytics.team_defense_game_summary import POINTS_PER_POSSESSION
    from nbaprops.pipeline.analytics.upcoming_team_game_context import params

    played = games[games["points"].notna()]
    everything = pd.concat([games, targets], ignore_index=True) if targets is not None else games
    schedule = _schedule(everything)
    summary = _summary(played)
    lines = pd.DataFrame(
        {
            "game_code": pd.Series([], dtype="object"),
            "game_date": pd.Series([], dtype="datetime64[ns]"),
            "total": pd.Series([], dtype="float64"),
            "home_spread": pd.Series([], dtype="float64"),
        }
    )
    if game_lines is not None and len(game_lines):
        lines = pd.DataFrame(
            {
                "game_code": _game_code(game_lines["game_key"]),
                "game_date": pd.to_datetime(game_lines["game_date"]),
                "total": game_lines["total"].astype("float64"),
                "home_spread": game_lines["home_spread"].astype("float64"),
            }
        )
    availability = pd.DataFrame(
        {
            "game_date": pd.Series([], dtype="datetime64[ns]"),
            "game_code": pd.Series([], dtype="object"),
            "team": pd.Series([], dtype="object"),
            "player_id": pd.Series([], dtype="int64"),
            "status": pd.Series([], dtype="object"),
            "as_of": pd.Series([], dtype="datetime64[ns, UTC]"),
            "after_game": pd.Series([], dtype="bool"),
        }
    )
    con = duckdb.connect()
    try:
        for name, frame in (
            ("schedule_df", schedule),
            ("summary_df", summary),
            ("lines_df", lines),
            ("availability_df", availability),
        ):
            con.register(name, frame)
        con.execute(
            "CREATE TABLE schedule AS SELECT * REPLACE (CAST(game_date AS DATE) AS game_date) FROM schedule_df"
        )
        con.execute(
            "CREATE TABLE player_game_summary AS "
            "SELECT * REPLACE (CAST(game_date AS DATE) AS game_date) FROM summary_df"
        )
        con.execute(
            "CREATE TABLE raw_game_lines AS SELECT * REPLACE (CAST(game_date AS DATE) AS game_date) FROM lines_df"
        )
        con.execute(
            "CREATE TABLE player_availability AS "
            "SELECT * REPLACE (CAST(game_date AS DATE) AS game_date) FROM availability_df"
        )
        played_dates = sorted({d.date() for d in pd.to_datetime(summary["game_date"])})
        offense = (_ANALYTICS / "team_offense_game_summary.sql").read_text()
        con.execute(
            "CREATE TABLE team_offense_game_summary AS " + offense,
            {"game_dates": played_dates, "points_per_possession": POINTS_PER_POSSESSION},
        )
        dates = sorted({d.date() for d in pd.to_datetime(schedule["game_date"])})
        context = (_ANALYTICS / "upcoming_team_game_context.sql").read_text()
        out = con.execute(context, {"game_dates": dates, **params()}).df()
    finally:
        con.close()
    out["game_date"] = pd.to_datetime(out["game_date"])
    return out


def _rolling_sum(df: pd.DataFrame, col: str, n: int) -> pd.Series:
    """Sum of `col` over each player's `n` previous rows (rows sorted by player and date).

    Differences of prior cumulative sums: a row's value only reads rows before it.
    """
    v = df[col].astype("float64")
    known = v.notna().astype("float64")
    c = _prior_cumsum(df, col)
    k = known.groupby(df["player_id"], sort=False).cumsum() - known
    pos = df.groupby("player_id", sort=False).cumcount().to_numpy()
    back = np.where(pos >= n, c.shift(n).to_numpy(), 0.0)
    kback = np.where(pos >= n, k.shift(n).to_numpy(), 0.0)
    out = pd.Series(c.to_numpy() - back, index=df.index)
    return out.where((k.to_numpy() - kback) > 0)


def _prior_cumsum(df: pd.DataFrame, col: str) -> pd.Series:
    v = df[col].fillna(0.0)
    return v.groupby(df["player_id"], sort=False).cumsum() - v


def _out_sums(context: pd.DataFrame) -> pd.DataFrame:
    """Per (game_key, team) and out player: his minutes and stat means (one row each)."""
    recs: list[dict[str, Any]] = []
    for key, team, players in zip(context["game_key"], context["team"], context["out_players"], strict=True):
        if not isinstance(players, list | np.ndarray):  # None / NA: nobody out
            continue
        for p in players:
            recs.append(
                {"game_key": key, "team": team, **{k: p[k] for k in ("player_id", "minutes", *STATS)}}
            )
    cols = ["game_key", "team", "player_id", "minutes", *STATS]
    return pd.DataFrame.from_records(recs, columns=cols)


def add_minutes_features(df: pd.DataFrame, context: pd.DataFrame) -> pd.DataFrame:
    """`df` (sorted by player and date, with ``min_l5``/``min_l10``) plus the minutes features."""
    p = "player_id"
    mins = df["minutes"].astype("float64")
    prev = df.groupby(p, sort=False)["minutes"].shift(1).astype("float64")
    r = prev.groupby(df[p], sort=False).rolling(20, min_periods=1).mean()
    df["min_l20"] = r.reset_index(level=0, drop=True).reindex(df.index)
    l20 = df["min_l20"].fillna(df["min_l10"])
    df["min_base"] = (
        0.5 * df["min_l5"] + 0.3 * df["min_l10"].fillna(df["min_l5"]) + 0.2 * l20.fillna(df["min_l5"])
    )
    for s in STATS:
        col = _column(s)
        vals = df[col].astype("float64") if col in df.columns else pd.Series(np.nan, index=df.index)
        known_min = mins.where(vals.notna())
        tmp = df[[p]].assign(v=vals, m=known_min)
        s20, m20 = _rolling_sum(tmp, "v", 20), _rolling_sum(tmp, "m", 20)
        cv, cm = _prior_cumsum(tmp, "v"), _prior_cumsum(tmp, "m")
        # career before the last 20 games: the prior
        pv, pm = cv - s20.fillna(0), cm - m20.fillna(0)
        prior = (pv / pm.where(pm > 0)).fillna(cv / cm.where(cm > 0))
        w = np.where(prior.notna(), PRIOR_MINUTES, 0.0)
        num = s20.fillna(0) + w * prior.fillna(0)
        den = m20.fillna(0) + w
        df[f"rate_{s}"] = (num / np.where(den > 0, den, np.nan)).where(cm > 0)

    ctx = context.rename(
        columns={
            "rest_days": "team_rest_days",
            "games_last_7d": "team_games_last_7d",
            "pace_l10": "team_pace_l10",
        }
    )
    ctx["abs_spread"] = ctx["team_spread"].abs()
    ctx["travelled"] = ctx["travelled"].astype("float64")
    keep = [
        "game_key",
        "team",
        "team_rest_days",
        "team_games_last_7d",
        "travelled",
        "game_total",
        "abs_spread",
        "implied_team_points",
        "team_pace_l10",
        "opp_pace_l10",
        "opp_def_rating_l10",
        "rotation_minutes",
        "players_out",
        *(f"team_{_team_stat(s)}_l10" for s in STATS),
    ]
    df = df.merge(ctx[keep], on=["game_key", "team"], how="left")
    outs = _out_sums(context)
    team_sums = outs.groupby(["game_key", "team"])[["minutes", *STATS]].sum(min_count=1).add_prefix("out_")
    df = df.merge(team_sums, left_on=["game_key", "team"], right_index=True, how="left")
    own = outs.rename(columns={"minutes": "own_minutes", **{s: f"own_{s}" for s in STATS}})
    df = df.merge(own, on=["game_key", "team", "player_id"], how="left")
    self_out = df["own_minutes"].notna()
    df["teammates_out"] = df["players_out"].fillna(0) - self_out.astype(float)
    df["tm_out_minutes"] = (df["out_minutes"].fillna(0) - df["own_minutes"].fillna(0)).clip(lower=0)
    df["team_rest_days"] = df["team_rest_days"].astype("float64").clip(upper=10).fillna(10)
    df["team_games_last_7d"] = df["team_games_last_7d"].astype("float64")
    rot = df["rotation_minutes"].astype("float64")
    share = df["tm_out_minutes"] / rot.where(rot > 0)
    df["exp_minutes"] = (df["min_base"] * (1 + share.fillna(0))).clip(upper=48)
    m_out = df["tm_out_minutes"] / TEAM_MINUTES
    for s in STATS:
        team = df[f"team_{_team_stat(s)}_l10"].astype("float64")
        s_out = (df[f"out_{s}"].fillna(0) - df[f"own_{s}"].fillna(0)).clip(lower=0) / team.where(team > 0)
        usage = ((1 - m_out) / (1 - s_out.clip(upper=0.9))).clip(0.7, 1.5)
        df[f"usage_{s}"] = usage.fillna(1.0)
        df[f"exp_{s}"] = df["exp_minutes"] * df[f"rate_{s}"] * df[f"usage_{s}"]
    drop = [
        c for c in df.columns if c.startswith(("out_", "own_")) or c in ("players_out", "rotation_minutes")
    ]
    drop += [f"team_{_team_stat(s)}_l10" for s in STATS]
    return df.drop(columns=drop)


def _team_stat(s: str) -> str:
    return {
        "pts": "points",
        "reb": "rebounds",
        "ast": "assists",
        "fg3m": "fg3m",
        "stl": "steals",
        "blk": "blocks",
    }[s]
