-- ml_feature_store: the ML feature store, one row per player per game, with a named,
-- versioned feature vector built only from data strictly before the game date.
-- grain: one player in one game (the players of player_daily_cache: upcoming context, or the
-- game summary as fallback; context_source says which); partition: game_date ($game_dates)
-- key: game_code, player_id
-- inputs: player_daily_cache, player_shot_zone_analysis, player_composite_factors (the date)
-- feature_set / feature_names come from nbaprops.pipeline.precompute.feature_set (the one place
-- that names and orders the features); the vector below is checked against it on import.
-- No label (points scored) is stored: a feature row never depends on its own game.
WITH targets AS (
    SELECT DISTINCT game_date FROM unnest($game_dates::DATE[]) AS u(game_date)
),
wide AS (
    SELECT
        c.game_date, c.season, c.game_code, c.player_id, c.player_lookup, c.player_name,
        c.team, c.opponent, c.is_home AS home, c.context_source, c.bootstrap,
        c.points_l5, c.points_l10, c.points_l20, c.points_season, c.points_std_l10,
        c.minutes_l5, c.minutes_l10, c.minutes_season, c.rebounds_l10, c.assists_l10,
        c.points_per_min_l10, c.games_played, c.rest_days,
        CASE WHEN c.back_to_back THEN 1 ELSE 0 END                 AS back_to_back,
        c.games_last_7d,
        CASE WHEN c.is_home THEN 1 ELSE 0 END                      AS is_home,
        z.pts_share_3, z.pts_share_ft, z.fg3a_rate,
        f.opp_points_allowed_l10, f.opp_def_rating_l10, f.opp_pace_l10,
        f.fatigue_factor, f.pace_factor, f.matchup_factor,
        f.scoring_trend, f.minutes_trend, f.usage_trend
    FROM player_daily_cache c
    JOIN targets t ON c.game_date = t.game_date
    LEFT JOIN player_shot_zone_analysis z
      ON z.game_date = c.game_date AND z.player_id = c.player_id
    LEFT JOIN player_composite_factors f
      ON f.game_date = c.game_date AND f.game_code = c.game_code AND f.player_id = c.player_id
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
    w.home                                                         AS is_home,
    w.context_source,
    w.bootstrap,
    w.games_played,
    $feature_set                                                   AS feature_set,
    CAST($feature_names AS VARCHAR[])                              AS feature_names,
    [
        -- feature vector begin
        CAST(w.points_l5 AS DOUBLE),
        CAST(w.points_l10 AS DOUBLE),
        CAST(w.points_l20 AS DOUBLE),
        CAST(w.points_season AS DOUBLE),
        CAST(w.points_std_l10 AS DOUBLE),
        CAST(w.minutes_l5 AS DOUBLE),
        CAST(w.minutes_l10 AS DOUBLE),
        CAST(w.minutes_season AS DOUBLE),
        CAST(w.rebounds_l10 AS DOUBLE),
        CAST(w.assists_l10 AS DOUBLE),
        CAST(w.points_per_min_l10 AS DOUBLE),
        CAST(w.games_played AS DOUBLE),
        CAST(w.games_last_7d AS DOUBLE),
        CAST(w.pts_share_3 AS DOUBLE),
        CAST(w.pts_share_ft AS DOUBLE),
        CAST(w.fg3a_rate AS DOUBLE),
        CAST(w.opp_points_allowed_l10 AS DOUBLE),
        CAST(w.opp_def_rating_l10 AS DOUBLE),
        CAST(w.opp_pace_l10 AS DOUBLE),
        CAST(w.fatigue_factor AS DOUBLE),
        CAST(w.matchup_factor AS DOUBLE),
        CAST(w.scoring_trend AS DOUBLE),
        CAST(w.minutes_trend AS DOUBLE),
        CAST(w.usage_trend AS DOUBLE)
        -- feature vector end
    ]                                                              AS features
FROM wide w
