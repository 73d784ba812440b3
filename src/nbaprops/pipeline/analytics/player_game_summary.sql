-- player_game_summary: one row per player per game played.
-- grain: one player in one game; partition: game_date ($game_dates: the dates to build)
-- key: game_code, player_id
-- inputs: raw_player_boxscores (the dates, plus earlier dates of their seasons for rest days),
--         schedule (season type)
-- Shooting counts (fgm..fta, oreb, dreb) are NULL where the source has none (before 2024-25,
-- and rookies/late dates of 2024-25 and 2025-26); every rate built on them is NULL there too.
-- starter is always NULL: no public source has it.  DNP: the public data has rows only for
-- players who played, so dnp is always false here and dnp_reason NULL; the columns exist so a
-- source with inactive lists can fill them without a schema change.
WITH targets AS (
    SELECT DISTINCT game_date FROM unnest($game_dates::DATE[]) AS u(game_date)
),
season_rows AS (  -- the target seasons' box scores up to the last target date
    SELECT b.*
    FROM raw_player_boxscores b
    WHERE b.season IN (SELECT DISTINCT r.season FROM raw_player_boxscores r
                       JOIN targets t ON r.game_date = t.game_date)
      AND b.game_date <= (SELECT max(game_date) FROM targets)
),
sequenced AS (
    SELECT *,
           lag(game_date) OVER (PARTITION BY player_id, season ORDER BY game_date) AS last_game
    FROM season_rows
),
team_totals AS (  -- per team-game sums for share-of-team rates
    SELECT game_code, team,
           sum(pts)                                                     AS team_points,
           sum(minutes)                                                 AS team_minutes,
           CASE WHEN bool_and(coalesce(has_shooting_counts, false))
                THEN sum(fga + 0.44 * fta + tov) END                    AS team_plays
    FROM sequenced
    WHERE game_date IN (SELECT game_date FROM targets)
    GROUP BY game_code, team
)
SELECT
    t.game_date,
    t.season,
    coalesce(s.season_type, t.season_type)                     AS season_type,
    t.game_code,
    t.game_key,
    t.game_id,
    t.player_id,
    t.player_lookup,
    t.player_name,
    t.team,
    t.opponent,
    t.is_home,
    CASE WHEN t.is_home THEN 'home' ELSE 'away' END            AS home_away,
    t.team_result,
    t.minutes,
    t.pts                                                      AS points,
    t.reb                                                      AS rebounds,
    t.oreb                                                     AS offensive_rebounds,
    t.dreb                                                     AS defensive_rebounds,
    t.ast                                                      AS assists,
    t.stl                                                      AS steals,
    t.blk                                                      AS blocks,
    t.tov                                                      AS turnovers,
    t.pf                                                       AS fouls,
    t.plus_minus,
    t.fgm, t.fga, t.fg3m, t.fg3a, t.ftm, t.fta,
    t.fgm - t.fg3m                                             AS fg2m,
    t.fga - t.fg3a                                             AS fg2a,
    2 * (t.fgm - t.fg3m)                                       AS points_from_2,   -- NULL without counts
    3 * t.fg3m                                                 AS points_from_3,
    t.ftm                                                      AS points_from_ft,
    t.fg_pct, t.fg3_pct, t.ft_pct,                              -- always present (source percentages)
    t.has_shooting_counts,
    -- true shooting: points per (2 * true shot attempts)
    CASE WHEN t.fga + 0.44 * t.fta > 0
         THEN t.pts / (2 * (t.fga + 0.44 * t.fta)) END         AS ts_pct,
    -- plays used per minute (shots + 0.44 free throws + turnovers): a usage-style rate
    CASE WHEN t.minutes > 0
         THEN (t.fga + 0.44 * t.fta + t.tov) / t.minutes END   AS usage_per_min,
    -- share of the team's plays the player used (NULL unless every teammate has counts)
    CASE WHEN tt.team_plays > 0
         THEN (t.fga + 0.44 * t.fta + t.tov) / tt.team_plays END AS usage_share,
    CASE WHEN tt.team_points > 0 THEN t.pts / tt.team_points END  AS points_share,
    CASE WHEN tt.team_minutes > 0 THEN t.minutes / tt.team_minutes END AS minutes_share,
    CASE WHEN t.minutes > 0 THEN t.pts / t.minutes END         AS points_per_min,
    CAST(t.starter AS BOOLEAN)                                 AS starter,        -- no source: NULL
    false                                                      AS dnp,            -- see header
    CAST(NULL AS VARCHAR)                                      AS dnp_reason,
    date_diff('day', t.last_game, t.game_date)                 AS rest_days,
    coalesce(date_diff('day', t.last_game, t.game_date) = 1, false) AS back_to_back
FROM sequenced t
JOIN targets USING (game_date)
LEFT JOIN team_totals tt ON tt.game_code = t.game_code AND tt.team = t.team
LEFT JOIN schedule s ON s.game_code = t.game_code
