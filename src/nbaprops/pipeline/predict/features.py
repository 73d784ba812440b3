"""As-of features for the prediction systems: where their names, order and version live.

These are not the Phase-4 feature store's vector (`precompute/feature_set.py`, season-scoped,
built in SQL): the systems need history across seasons (``prev_season_mean``,
``career_games``) and the walk-forward evaluation builds them straight from the public
files, so no system reads the store yet (see ``docs/analytics.md``).

Input is a frame of *game rows* shaped like ``player_game_summary`` (one row
per player per game played: ``game_date, season, player_id, team, opponent,
is_home, minutes, points``), optionally followed by *target rows* (players
expected in games not yet in the history, ``points`` NULL).

Every feature of a row is computed from rows **strictly earlier** than it for
that player (or team): rolling windows are shifted by one game and the league
level is shifted by one date.  So the features of a row dated D never depend
on anything dated D or later, and a frame of all box scores gives every
row's features "as of" its own date in one pass.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nbaprops.pipeline.predict.minutes import (
    CONTEXT_FEATURES,
    MINUTES_FEATURES,
    add_minutes_features,
    team_context,
)

__all__ = [
    "ALL_FEATURES",
    "EXTRA_FEATURES",
    "FEATURES",
    "FEATURE_SET",
    "GAME_COLUMNS",
    "MIN_GAMES",
    "STORED_FEATURES",
    "build_features",
    "feature_matrix",
]

FEATURE_SET = "points_v2"
"""The one feature-set version: of these definitions and of the store's vector
(`precompute.feature_set` re-exports it); stored in every ``ml_feature_store`` row, with every
model and prediction; the model registry refuses a model of another version."""

GAME_COLUMNS: tuple[str, ...] = (
    "game_date",
    "season",
    "player_id",
    "team",
    "opponent",
    "is_home",
    "minutes",
    "points",
)
"""Columns a game-row frame must have."""

FEATURES: tuple[str, ...] = (
    "l5",  # mean points, last 5 games (any season)
    "l10",  # last 10 games
    "l20",  # last 20 games
    "season_mean",  # mean points this season before the date (NaN before the first game)
    "prev_season_mean",  # mean points last season
    "season_games",  # games this season before the date
    "career_games",  # games in the history before the date (capped at 200)
    "sd10",  # std of points, last 10 games
    "min_l5",  # mean minutes, last 5
    "min_l10",  # mean minutes, last 10
    "min_trend",  # min_l5 - min_l10
    "ppm_l10",  # points per minute, last 10 games
    "share_l10",  # player points / team points, last 10 games
    "rest_days",  # days since the last game (capped at 10)
    "back_to_back",  # 1 when the last game was yesterday
    "is_home",  # 1 at home
    "team_pts_l15",  # team points per game, last 15 team games
    "opp_allowed_l15",  # points the opponent allowed per game, last 15
    "opp_factor",  # opp_allowed_l15 / league points per team-game (last 30 days)
    "pace_factor",  # (team + opponent game totals) / (2 * league game total)
    "line",  # the consensus line (NaN where none; systems may ignore it)
)
"""Feature names in model order (the vector the LightGBM and similarity systems use)."""

EXTRA_FEATURES: tuple[str, ...] = (*CONTEXT_FEATURES, *MINUTES_FEATURES)
"""Minutes-first and team-context features (`minutes`): rows carry them next to `FEATURES`."""

ALL_FEATURES: tuple[str, ...] = (*FEATURES, *EXTRA_FEATURES)
"""Every feature column `build_features` adds."""

STORED_FEATURES: tuple[str, ...] = tuple(f for f in ALL_FEATURES if f != "line")
"""The features ``ml_feature_store`` holds for the systems (the line is joined at prediction time)."""

MIN_GAMES = 3
"""Games of the season the moving average needs (same as the SQL baseline)."""


def _prior_rolling(df: pd.DataFrame, by: str, col: str, n: int, fn: str = "mean") -> pd.Series:
    s = df.groupby(by, sort=False)[col].shift(1)
    r = s.groupby(df[by], sort=False).rolling(n, min_periods=1)
    out = r.mean() if fn == "mean" else r.std()
    return out.reset_index(level=0, drop=True).reindex(df.index)


def _team_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per (team, game): points scored and allowed, rolling as-of values."""
    tg = (
        rows.groupby(["game_date", "team", "opponent"], sort=False)
        .agg(team_pts=("points", lambda s: s.sum(min_count=1)))
        .reset_index()
    )
    opp = tg.rename(columns={"team": "opponent", "opponent": "team", "team_pts": "opp_pts"})
    tg = tg.merge(opp, on=["game_date", "team", "opponent"], how="left")
    tg = tg.sort_values(["team", "game_date"], kind="stable").reset_index(drop=True)
    tg["team_pts_l15"] = _prior_rolling(tg, "team", "team_pts", 15)
    tg["allowed_l15"] = _prior_rolling(tg, "team", "opp_pts", 15)
    tg["total"] = tg["team_pts"] + tg["opp_pts"]
    tg["total_l15"] = _prior_rolling(tg, "team", "total", 15)
    return tg


def _league_frame(tg: pd.DataFrame) -> pd.DataFrame:
    """League points per team-game over the 30 days before each date (excluding the date)."""
    daily = (
        tg.dropna(subset=["team_pts"])
        .groupby("game_date")
        .agg(pts=("team_pts", "sum"), n=("team_pts", "size"))
        .sort_index()
    )
    all_dates = pd.DatetimeIndex(sorted(tg["game_date"].unique()), name="game_date")
    daily = daily.reindex(all_dates, fill_value=0)
    idx = pd.DatetimeIndex(pd.to_datetime(daily.index))
    d = daily.set_index(idx)
    # sum over (date-30d, date), i.e. strictly before the date
    pts = d["pts"].rolling("30D", closed="left").sum()
    n = d["n"].rolling("30D", closed="left").sum()
    # long fallback where the last 30 days had no games (season start)
    pts_long = d["pts"].rolling("400D", closed="left").sum()
    n_long = d["n"].rolling("400D", closed="left").sum()
    league = np.where(n >= 30, pts / n.where(n > 0), pts_long / n_long.where(n_long > 0))
    return pd.DataFrame({"game_date": idx, "league_pts": np.asarray(league, dtype="float64")})


def build_features(
    games: pd.DataFrame,
    targets: pd.DataFrame | None = None,
    *,
    game_lines: pd.DataFrame | None = None,
    context: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every game row (and target row) with its as-of features.

    Args:
        games: game rows (`GAME_COLUMNS` plus ``game_key``; the stat columns ``reb, ast,
            fg3m, stl, blk`` where known), any order, with ``points`` known.
        targets: rows to predict (same columns; ``points``/``minutes`` may be NULL),
            each dated after every game row of its player; may carry ``line``.
        game_lines: the games' pre-game lines (``game_key, game_date, total, home_spread``),
            used when `context` is not given.
        context: ``upcoming_team_game_context`` rows covering every game (from the
            warehouse); computed from the frames by the same SQL when None.

    Returns:
        The rows (games then targets, sorted by player and date) with every name in
        `ALL_FEATURES` plus ``is_target``; row order is not the input order.
    """
    if context is None:
        context = team_context(games, targets, game_lines)
    frames = [games.assign(is_target=False)]
    if targets is not None and len(targets):
        frames.append(targets.assign(is_target=True))
    df = pd.concat(frames, ignore_index=True)
    if "line" not in df.columns:
        df["line"] = np.nan
    df["game_date"] = pd.to_datetime(df["game_date"]).dt.normalize()
    df["points"] = df["points"].astype("float64")
    df["minutes"] = df["minutes"].astype("float64")
    df["line"] = df["line"].astype("float64")
    df["is_home"] = df["is_home"].astype("float64")
    df = df.sort_values(["player_id", "game_date"], kind="stable").reset_index(drop=True)

    # --- team level -----------------------------------------------------
    tg = _team_frame(df[["game_date", "team", "opponent", "points"]].assign(points=df["points"]))
    league = _league_frame(tg)
    tg = tg.merge(league, on="game_date", how="left")
    df = df.merge(
        tg[["game_date", "team", "team_pts", "team_pts_l15", "total_l15", "league_pts"]],
        on=["game_date", "team"],
        how="left",
    )
    opp = tg[["game_date", "team", "allowed_l15", "total_l15"]].rename(
        columns={"team": "opponent", "allowed_l15": "opp_allowed_l15", "total_l15": "opp_total_l15"}
    )
    df = df.merge(opp, on=["game_date", "opponent"], how="left")
    df = df.sort_values(["player_id", "game_date"], kind="stable").reset_index(drop=True)

    # --- player level ---------------------------------------------------
    p = "player_id"
    for n in (5, 10, 20):
        df[f"l{n}"] = _prior_rolling(df, p, "points", n)
    df["sd10"] = _prior_rolling(df, p, "points", 10, "std")
    df["min_l5"] = _prior_rolling(df, p, "minutes", 5)
    df["min_l10"] = _prior_rolling(df, p, "minutes", 10)
    df["min_trend"] = df["min_l5"] - df["min_l10"]
    pts10 = df.groupby(p, sort=False)["points"].shift(1).groupby(df[p]).rolling(10, min_periods=1).sum()
    mins10 = df.groupby(p, sort=False)["minutes"].shift(1).groupby(df[p]).rolling(10, min_periods=1).sum()
    pts10 = pts10.reset_index(level=0, drop=True).reindex(df.index)
    mins10 = mins10.reset_index(level=0, drop=True).reindex(df.index)
    df["ppm_l10"] = pts10 / mins10.where(mins10 > 0)
    df["share_raw"] = df["points"] / df["team_pts"].where(df["team_pts"] > 0)
    df["share_l10"] = _prior_rolling(df, p, "share_raw", 10)
    ps = [p, "season"]
    played = df["points"].notna().astype("float64")
    cum_pts = df["points"].fillna(0).groupby([df[p], df["season"]]).cumsum() - df["points"].fillna(0)
    cum_n = played.groupby([df[p], df["season"]]).cumsum() - played
    df["season_games"] = cum_n
    df["season_mean"] = cum_pts / cum_n.where(cum_n > 0)
    df["career_games"] = (played.groupby(df[p]).cumsum() - played).clip(upper=200)
    season_means = df[df["points"].notna()].groupby(ps)["points"].mean().rename("prev_season_mean")
    seasons = sorted(df["season"].dropna().unique())
    prev = {str(s): str(seasons[i - 1]) for i, s in enumerate(seasons) if i > 0}
    df["prev_season"] = [prev.get(x, "") for x in df["season"].astype(str)]
    means = season_means.reset_index().rename(columns={"season": "prev_season"})
    means["prev_season"] = means["prev_season"].astype(str)
    df = df.merge(
        means,
        on=[p, "prev_season"],
        how="left",
    )
    df = df.sort_values(["player_id", "game_date"], kind="stable").reset_index(drop=True)
    last = df.groupby(p, sort=False)["game_date"].shift(1)
    rest = (df["game_date"] - last).dt.days
    df["rest_days"] = rest.clip(upper=10).fillna(10)
    df["back_to_back"] = (rest == 1).astype("float64")
    df["opp_factor"] = df["opp_allowed_l15"] / df["league_pts"]
    df["pace_factor"] = (df["total_l15"] + df["opp_total_l15"]) / (2 * 2 * df["league_pts"])
    df = add_minutes_features(df, context)
    df = df.sort_values(["player_id", "game_date"], kind="stable").reset_index(drop=True)
    return df.drop(columns=["share_raw", "prev_season", "team_pts"])


def feature_matrix(df: pd.DataFrame, names: tuple[str, ...] = FEATURES) -> np.ndarray:
    """The features of a frame as a float matrix in `FEATURES` order."""
    return np.asarray(df.loc[:, list(names)].to_numpy(dtype="float64"), dtype="float64")
