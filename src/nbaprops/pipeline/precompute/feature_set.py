"""The ML feature set: the one place that names the features and fixes their order.

``ml_feature_store`` stores, with every row, the version string `FEATURE_SET` and the list
`FEATURE_NAMES`; its ``features`` column holds the values in exactly this order.  The vector
has two parts:

- `SQL_FEATURES`, built by ``ml_feature_store.sql`` from the season-scoped Phase-4 tables
  (checked against this list when the processor is imported, :func:`check_sql`);
- `SYSTEM_FEATURES`, the prediction systems' as-of features (`predict.features`: history
  across seasons, minutes first and rates, team context and who is out), computed by
  ``predict.features.build_features`` from ``player_game_summary`` and
  ``upcoming_team_game_context``.

The prediction systems read their features from the store (``predict.serve``) and the model
registry refuses a model whose feature set is not the store's.  Change a name, the order or
a definition: bump `FEATURE_SET`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nbaprops.pipeline.predict.features import FEATURE_SET, STORED_FEATURES

__all__ = [
    "FEATURES",
    "FEATURE_NAMES",
    "FEATURE_SET",
    "SQL_FEATURES",
    "SQL_FEATURE_NAMES",
    "SYSTEM_FEATURES",
    "Feature",
    "check_sql",
]


@dataclass(frozen=True)
class Feature:
    """One named feature and what it means (all values are as of the game date, strictly before)."""

    name: str
    doc: str


SQL_FEATURES: tuple[Feature, ...] = (
    Feature("points_l5", "mean points, last 5 games of the season"),
    Feature("points_l10", "mean points, last 10 games"),
    Feature("points_l20", "mean points, last 20 games"),
    Feature("points_season", "mean points, season so far"),
    Feature("points_std_l10", "sample std of points, last 10 games"),
    Feature("minutes_l5", "mean minutes, last 5 games"),
    Feature("minutes_l10", "mean minutes, last 10 games"),
    Feature("minutes_season", "mean minutes, season so far"),
    Feature("rebounds_l10", "mean rebounds, last 10 games"),
    Feature("assists_l10", "mean assists, last 10 games"),
    Feature("points_per_min_l10", "points per minute over the last 10 games"),
    Feature("games_played", "games played this season before the date"),
    Feature("games_last_7d", "games in the 7 days before the date"),
    Feature("pts_share_3", "share of points from 3s (games with shooting counts)"),
    Feature("pts_share_ft", "share of points from free throws (games with shooting counts)"),
    Feature("fg3a_rate", "share of field-goal attempts from 3 (games with shooting counts)"),
    Feature("opp_points_allowed_l10", "opponent's mean points allowed, last 10 games"),
    Feature("opp_def_rating_l10", "opponent's defensive rating, last 10 games"),
    Feature("opp_pace_l10", "opponent's pace, last 10 games"),
    Feature("fatigue_factor", "0 fresh .. 1 tired (player_composite_factors)"),
    Feature("matchup_factor", "opponent defensive rating over league rating"),
    Feature("scoring_trend", "points L5 over season"),
    Feature("minutes_trend", "minutes L5 over season"),
    Feature("usage_trend", "usage per minute L5 over season (needs shooting counts)"),
)

SQL_FEATURE_NAMES: tuple[str, ...] = tuple(f.name for f in SQL_FEATURES)
"""The names ``ml_feature_store.sql`` builds, in vector order (the systems' ``rest_days``,
``back_to_back``, ``is_home`` and ``pace_factor`` replace the SQL ones of the same meaning)."""


SYSTEM_FEATURES: tuple[Feature, ...] = tuple(
    Feature(n, "as-of feature of the prediction systems (predict/features.py)") for n in STORED_FEATURES
)
"""The prediction systems' features (names and meanings in ``predict/features.py`` and
``predict/minutes.py``)."""

FEATURES: tuple[Feature, ...] = (*SQL_FEATURES, *SYSTEM_FEATURES)

FEATURE_NAMES: tuple[str, ...] = tuple(f.name for f in FEATURES)
"""The feature names in vector order."""

_VECTOR = re.compile(r"--\s*feature vector begin\s*\n(.*?)--\s*feature vector end", re.S)


def check_sql(sql: str) -> None:
    """Check that a SQL model's feature vector lists exactly `SQL_FEATURE_NAMES`, in order.

    The vector is the block between ``-- feature vector begin`` and ``-- feature vector end``:
    one ``CAST(<alias>.<name> AS DOUBLE)`` per line.

    Raises:
        ValueError: the block is missing or its names differ from `SQL_FEATURE_NAMES`.
    """
    m = _VECTOR.search(sql)
    if m is None:
        raise ValueError("feature vector block not found in the SQL model")
    names = [x.split(".")[-1] for x in re.findall(r"CAST\(\s*([A-Za-z0-9_.]+)\s+AS DOUBLE\)", m.group(1))]
    if tuple(names) != SQL_FEATURE_NAMES:
        raise ValueError(
            f"the SQL feature vector {names} does not match SQL_FEATURE_NAMES {list(SQL_FEATURE_NAMES)}"
        )
