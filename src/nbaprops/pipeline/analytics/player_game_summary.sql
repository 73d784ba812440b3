-- player_game_summary: one row per player per game played.
-- grain: (game_code, player_id); partition: game_date ($game_date); key: game_code, player_id
-- inputs: raw_player_boxscores (the date, plus earlier dates of the season for rest days),
--         schedule (season type, final status)
-- Shooting splits are NULL where the source has no counts (before 2024-25).
WITH today AS (
    SELECT * FROM raw_player_boxscores WHERE game_date = $game_date
),
previous AS (
    SELECT b.player_id, max(b.game_date) AS last_game
    FROM raw_player_boxscores b
    JOIN (SELECT DISTINCT season FROM today) s USING (season)
    WHERE b.game_date < $game_date
    GROUP BY 1
)
SELECT
    t.game_date,
    t.season,
    coalesce(s.season_type, t.season_type)            AS season_type,
    t.game_code,
    t.game_key,
    t.game_id,
    t.player_id,
    t.player_lookup,
    t.player_name,
    t.team,
    t.opponent,
    t.is_home,
    t.team_result,
    t.minutes,
    t.pts                                              AS points,
    t.reb                                              AS rebounds,
    t.ast                                              AS assists,
    t.stl                                              AS steals,
    t.blk                                              AS blocks,
    t.tov                                              AS turnovers,
    t.plus_minus,
    t.fgm, t.fga, t.fg3m, t.fg3a, t.ftm, t.fta,
    t.fgm - t.fg3m                                     AS fg2m,
    t.fga - t.fg3a                                     AS fg2a,
    t.has_shooting_counts,
    -- true shooting: points per (2 * true shot attempts)
    CASE WHEN t.fga + 0.44 * t.fta > 0
         THEN t.pts / (2 * (t.fga + 0.44 * t.fta)) END AS ts_pct,
    -- possessions used per minute (usage-style rate)
    CASE WHEN t.minutes > 0
         THEN (t.fga + 0.44 * t.fta + t.tov) / t.minutes END AS usage_per_min,
    t.starter,
    date_diff('day', p.last_game, t.game_date)         AS rest_days,
    coalesce(date_diff('day', p.last_game, t.game_date) = 1, false) AS back_to_back
FROM today t
LEFT JOIN previous p USING (player_id)
LEFT JOIN schedule s ON s.game_code = t.game_code
