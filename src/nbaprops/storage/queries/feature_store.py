"""SQL the feature store's build reads (`pipeline/precompute/ml_feature_store.py`) and the
prediction inputs read back from it (`pipeline/predict/serve.py`)."""

from __future__ import annotations

from typing import Final

STORE_HISTORY: Final = """
SELECT game_date, season, player_id, team, opponent, is_home, minutes, points, game_key,
       player_name, player_lookup AS player_name_norm,
       rebounds AS reb, assists AS ast, fg3m, steals AS stl, blocks AS blk, has_shooting_counts
FROM player_game_summary WHERE game_date >= $lo AND game_date <= $hi
"""
"""Game rows (labels included) between two dates: history for as-of features, or training labels."""

STORE_CONTEXT: Final = """
SELECT * FROM upcoming_team_game_context WHERE game_date >= $lo AND game_date <= $hi
"""
"""Team context rows (who is out, rest, game lines) between two dates."""

STORE_GAME_KEYS: Final = """
SELECT game_code, game_key FROM schedule WHERE game_date >= $lo AND game_date <= $hi
"""
"""Game code -> game key."""

STORE_ROWS: Final = """
SELECT game_date, season, game_code, player_id, player_lookup, player_name, team, opponent,
       is_home, feature_set, feature_names, features
FROM ml_feature_store WHERE game_date >= $lo AND game_date <= $hi
"""
"""Feature-store rows between two dates (the vector and its names)."""

STORE_VERSIONS: Final = """
SELECT DISTINCT feature_set FROM ml_feature_store WHERE game_date >= $lo AND game_date <= $hi
"""
"""The feature-set versions stored between two dates."""
