-- player_shot_zone_analysis: where each player's points came from (2-point field goals,
-- 3-point field goals, free throws) in his games of the season strictly before the date, and,
-- where NBA.com play-by-play was scraped, where his shots came from (court zones).
-- grain: one player with a game on the date (the players of player_daily_cache)
-- partition: game_date ($game_dates); key: game_date, player_id
-- inputs: player_daily_cache (the date: which players), player_game_summary (strictly before),
--         raw_nbac_play_by_play (strictly before; optional: absent, it reads as no located shots)
-- Scoring kinds: only games with shooting counts are used (parts of 2024-25 and 2025-26); a
-- player with none keeps his row with games_with_counts = 0 and NULL shares.
-- Shot zones: the public data has no shot locations; the play-by-play has NBA.com's zone of
-- every field goal (area).  Zone rates are shares of his located field-goal attempts in the
-- season's games before the date that have play-by-play (games_with_zones); NULL (and
-- zone_source NULL) where there are none.
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
shots AS (  -- located field goals of the play-by-play (NBA.com person id = player_id)
    SELECT TRY_CAST(b.person_id AS BIGINT) AS player_id, b.game_date, b.area,
           b.shot_result = 'Made' AS made
    FROM raw_nbac_play_by_play b
    WHERE b.area IS NOT NULL AND b.person_id IS NOT NULL
      AND b.game_date < (SELECT max(game_date) FROM targets)
),
zone_games AS (  -- one row per player-game with play-by-play, in a season of the targets
    SELECT g.player_id, g.season, g.game_date,
           count(*)                                                           AS fga,
           count(*) FILTER (WHERE s.area = 'Restricted Area')                  AS rim_fga,
           count(*) FILTER (WHERE s.area = 'Restricted Area' AND s.made)       AS rim_fgm,
           count(*) FILTER (WHERE s.area = 'In The Paint (Non-RA)')            AS paint_fga,
           count(*) FILTER (WHERE s.area = 'Mid-Range')                        AS mid_fga,
           count(*) FILTER (WHERE s.area IN ('Left Corner 3', 'Right Corner 3')) AS corner3_fga,
           count(*) FILTER (WHERE s.area IN ('Above the Break 3', 'Backcourt'))  AS above_break3_fga
    FROM shots s
    JOIN player_game_summary g ON g.player_id = s.player_id AND g.game_date = s.game_date
    WHERE g.season IN (SELECT DISTINCT season FROM players)
    GROUP BY g.player_id, g.season, g.game_date
),
zones AS (
    SELECT p.game_date, p.player_id,
           count(*) AS games_with_zones,
           sum(z.fga) AS fga, sum(z.rim_fga) AS rim_fga, sum(z.rim_fgm) AS rim_fgm,
           sum(z.paint_fga) AS paint_fga, sum(z.mid_fga) AS mid_fga,
           sum(z.corner3_fga) AS corner3_fga, sum(z.above_break3_fga) AS above_break3_fga
    FROM players p
    JOIN zone_games z ON z.player_id = p.player_id AND z.season = p.season AND z.game_date < p.game_date
    GROUP BY p.game_date, p.player_id
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
    1.0 * h.ftm / nullif(h.fta, 0)                          AS ft_pct,
    coalesce(z.games_with_zones, 0)                         AS games_with_zones,
    1.0 * z.rim_fga / nullif(z.fga, 0)                      AS rim_fga_rate,      -- restricted area
    1.0 * z.paint_fga / nullif(z.fga, 0)                    AS paint_fga_rate,    -- paint, not RA
    1.0 * z.mid_fga / nullif(z.fga, 0)                      AS mid_fga_rate,
    1.0 * z.corner3_fga / nullif(z.fga, 0)                  AS corner3_fga_rate,
    1.0 * z.above_break3_fga / nullif(z.fga, 0)             AS above_break3_fga_rate,
    1.0 * z.rim_fgm / nullif(z.rim_fga, 0)                  AS rim_fg_pct,
    CASE WHEN z.games_with_zones > 0 THEN 'nbac_play_by_play' END AS zone_source
FROM players p
LEFT JOIN history h ON h.game_date = p.game_date AND h.player_id = p.player_id
LEFT JOIN zones z ON z.game_date = p.game_date AND z.player_id = p.player_id
