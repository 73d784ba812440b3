/* ml_feature_store: the ML feature store, one row per player per game, with a named, */
/* versioned feature vector built only from data strictly before the game date. */
/* grain: one player in one game (the players of player_daily_cache: upcoming context, or the */
/* game summary as fallback; context_source says which); partition: game_date ($game_dates) */
/* key: game_code, player_id */
/* inputs: player_daily_cache, player_shot_zone_analysis, player_composite_factors (the date) */
/* feature_set / feature_names come from nbaprops.pipeline.precompute.feature_set (the one place */
/* that names and orders the features); the vector below is checked against it on import. */
/* No label (points scored) is stored: a feature row never depends on its own game. */
WITH targets AS (
  SELECT DISTINCT
    game_date
  FROM UNNEST(CAST(@game_dates AS ARRAY<DATE>)) AS game_date
), wide AS (
  SELECT
    c.game_date,
    c.season,
    c.game_code,
    c.player_id,
    c.player_lookup,
    c.player_name,
    c.team,
    c.opponent,
    c.is_home AS home,
    c.context_source,
    c.bootstrap,
    c.points_l5,
    c.points_l10,
    c.points_l20,
    c.points_season,
    c.points_std_l10,
    c.minutes_l5,
    c.minutes_l10,
    c.minutes_season,
    c.rebounds_l10,
    c.assists_l10,
    c.points_per_min_l10,
    c.games_played,
    c.rest_days,
    CASE WHEN c.back_to_back THEN 1 ELSE 0 END AS back_to_back,
    c.games_last_7d,
    CASE WHEN c.is_home THEN 1 ELSE 0 END AS is_home,
    z.pts_share_3,
    z.pts_share_ft,
    z.fg3a_rate,
    f.opp_points_allowed_l10,
    f.opp_def_rating_l10,
    f.opp_pace_l10,
    f.fatigue_factor,
    f.pace_factor,
    f.matchup_factor,
    f.scoring_trend,
    f.minutes_trend,
    f.usage_trend
  FROM nbaprops.player_daily_cache AS c
  JOIN targets AS t
    ON c.game_date = t.game_date
  LEFT JOIN nbaprops.player_shot_zone_analysis AS z
    ON z.game_date = c.game_date AND z.player_id = c.player_id
  LEFT JOIN nbaprops.player_composite_factors AS f
    ON f.game_date = c.game_date
    AND f.game_code = c.game_code
    AND f.player_id = c.player_id
)
SELECT
  w.game_date,
  w.season,
  w.game_code,
  w.player_id,
  w.player_lookup,
  w.player_name,
  w.team,
  w.opponent,
  w.home AS is_home,
  w.context_source,
  w.bootstrap,
  w.games_played,
  @feature_set AS feature_set,
  CAST(@feature_names AS ARRAY<STRING>) AS feature_names,
  [
    CAST(w.points_l5 AS FLOAT64), /* feature vector begin */
    CAST(w.points_l10 AS FLOAT64),
    CAST(w.points_l20 AS FLOAT64),
    CAST(w.points_season AS FLOAT64),
    CAST(w.points_std_l10 AS FLOAT64),
    CAST(w.minutes_l5 AS FLOAT64),
    CAST(w.minutes_l10 AS FLOAT64),
    CAST(w.minutes_season AS FLOAT64),
    CAST(w.rebounds_l10 AS FLOAT64),
    CAST(w.assists_l10 AS FLOAT64),
    CAST(w.points_per_min_l10 AS FLOAT64),
    CAST(w.games_played AS FLOAT64),
    CAST(w.games_last_7d AS FLOAT64),
    CAST(w.pts_share_3 AS FLOAT64),
    CAST(w.pts_share_ft AS FLOAT64),
    CAST(w.fg3a_rate AS FLOAT64),
    CAST(w.opp_points_allowed_l10 AS FLOAT64),
    CAST(w.opp_def_rating_l10 AS FLOAT64),
    CAST(w.opp_pace_l10 AS FLOAT64),
    CAST(w.fatigue_factor AS FLOAT64),
    CAST(w.matchup_factor AS FLOAT64),
    CAST(w.scoring_trend AS FLOAT64),
    CAST(w.minutes_trend AS FLOAT64),
    CAST(w.usage_trend AS FLOAT64)
  ] AS features /* feature vector end */
FROM wide AS w
