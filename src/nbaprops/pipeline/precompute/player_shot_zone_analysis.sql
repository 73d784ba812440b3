-- player_shot_zone_analysis: where each player's points came from (2-point field goals,
-- 3-point field goals, free throws) in his games of the season strictly before the date.
-- grain: one player with a game on the date (the players of player_daily_cache)
-- partition: game_date ($game_dates); key: game_date, player_id
-- inputs: player_daily_cache (the date: which players), player_game_summary (strictly before)
-- Only games with shooting counts are used (parts of 2024-25 and 2025-26); a player with none
-- keeps his row with games_with_counts = 0 and NULL shares.  The public data has no shot
-- locations, so "zones" are the three scoring kinds.
WITH targets AS (
    SELECT DISTINCT game_date FROM unnest($game_dates::DATE[]) AS u(game_date)
),
players AS (
    SELECT c.game_date, c.season, c.game_code, c.player_id, c.player_lookup, c.team,
           c.context_source, c.bootstrap
    FROM player_daily_cache c JOIN targets t ON c.game_date = t.game_date
),
counted AS (
    SELECT g.player_id, g.season, g.game_date, g.points, g.fga, g.fg2m, g.fg2a, g.fg3m,
           g.fg3a, g.ftm, g.fta
    FROM player_game_summary g
    WHERE g.has_shooting_counts
      AND g.season IN (SELECT DISTINCT season FROM players)
      AND g.game_date < (SELECT max(game_date) FROM targets)
),
history AS (
    SELECT p.game_date, p.player_id,
           count(*) AS games_with_counts,
           sum(h.points) AS points, sum(h.fga) AS fga,
           sum(h.fg2m) AS fg2m, sum(h.fg2a) AS fg2a, sum(h.fg3m) AS fg3m, sum(h.fg3a) AS fg3a,
           sum(h.ftm) AS ftm, sum(h.fta) AS fta
    FROM players p
    JOIN counted h ON h.player_id = p.player_id AND h.season = p.season AND h.game_date < p.game_date
    GROUP BY p.game_date, p.player_id
)
SELECT
    p.game_date,
    p.season,
    p.game_code,
    p.player_id,
    p.player_lookup,
    p.team,
    p.context_source,
    p.bootstrap,
    coalesce(h.games_with_counts, 0)                        AS games_with_counts,
    h.fg2m, h.fg2a, h.fg3m, h.fg3a, h.ftm, h.fta,
    2.0 * h.fg2m / nullif(h.points, 0)                      AS pts_share_2,
    3.0 * h.fg3m / nullif(h.points, 0)                      AS pts_share_3,
    1.0 * h.ftm / nullif(h.points, 0)                       AS pts_share_ft,
    1.0 * h.fg3a / nullif(h.fga, 0)                         AS fg3a_rate,   -- share of shots from 3
    1.0 * h.fta / nullif(h.fga, 0)                          AS ft_rate,     -- free throws per shot
    1.0 * h.fg2m / nullif(h.fg2a, 0)                        AS fg2_pct,
    1.0 * h.fg3m / nullif(h.fg3a, 0)                        AS fg3_pct,
    1.0 * h.ftm / nullif(h.fta, 0)                          AS ft_pct
FROM players p
LEFT JOIN history h ON h.game_date = p.game_date AND h.player_id = p.player_id
