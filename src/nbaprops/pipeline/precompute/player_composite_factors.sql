-- player_composite_factors: a few interpretable adjustment factors per player and game, all
-- from data strictly before the date.
-- grain: one player with a game on the date; partition: game_date ($game_dates)
-- key: game_code, player_id
-- inputs: player_daily_cache (the date), team_defense_zone_analysis (the date: own team and
--         opponent)
-- fatigue_factor (0 fresh .. 1 tired): 0.5 on a back-to-back, + 0.1 per game beyond two in
--     the last 7 days, + 0.5 x the share by which recent minutes (L5) exceed the season's;
--     capped at 1.
-- pace_factor: mean of both teams' L10 pace over the league pace (> 1: a faster game).
-- matchup_factor: the opponent's L10 defensive rating over the league's (> 1: weak defence).
-- scoring_trend / minutes_trend / usage_trend: L5 over season (> 1: trending up); usage needs
--     shooting counts and is NULL without them.
WITH targets AS (
    SELECT DISTINCT game_date FROM unnest($game_dates::DATE[]) AS u(game_date)
)
SELECT
    c.game_date,
    c.season,
    c.game_code,
    c.player_id,
    c.player_lookup,
    c.team,
    c.opponent,
    c.context_source,
    c.bootstrap,
    least(1.0,
          CASE WHEN c.back_to_back THEN 0.5 ELSE 0.0 END
          + 0.1 * greatest(0, c.games_last_7d - 2)
          + 0.5 * coalesce(greatest(0.0, c.minutes_l5 / nullif(c.minutes_season, 0) - 1.0), 0.0))
                                                                   AS fatigue_factor,
    (own.pace_l10 + opp.pace_l10) / 2.0 / nullif(opp.league_pace, 0) AS pace_factor,
    opp.def_rating_l10 / nullif(opp.league_def_rating, 0)         AS matchup_factor,
    c.points_l5 / nullif(c.points_season, 0)                       AS scoring_trend,
    c.minutes_l5 / nullif(c.minutes_season, 0)                     AS minutes_trend,
    c.usage_per_min_l5 / nullif(c.usage_per_min_season, 0)         AS usage_trend,
    opp.points_allowed_l10                                         AS opp_points_allowed_l10,
    opp.def_rating_l10                                             AS opp_def_rating_l10,
    opp.pace_l10                                                   AS opp_pace_l10,
    own.pace_l10                                                   AS team_pace_l10
FROM player_daily_cache c
JOIN targets t ON c.game_date = t.game_date
LEFT JOIN team_defense_zone_analysis own
  ON own.game_date = c.game_date AND own.game_code = c.game_code AND own.team = c.team
LEFT JOIN team_defense_zone_analysis opp
  ON opp.game_date = c.game_date AND opp.game_code = c.game_code AND opp.team = c.opponent
