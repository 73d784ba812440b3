-- player_daily_cache: each player's rolling aggregates as of a game date, from his games of
-- the season strictly before that date (never the date itself).
-- grain: one player with a game on the date
-- partition: game_date ($game_dates); key: game_date, player_id
-- inputs: player_game_summary (the season through the date: history strictly before it, and
--         the date's rows only as the list of players and games), upcoming_player_game_context
--         (the date), schedule (season start, for the bootstrap flag)
-- Which players: the upcoming context when it lists at least $coverage_gate of the players the
-- game summary shows for the date (or the summary has none yet: a future date); otherwise the
-- game summary (fallback).  context_source records the choice.  Players without an earlier
-- game this season get a row with games_played = 0 and NULL aggregates: in a season's first
-- days (bootstrap = within $bootstrap_days of its first game) most aggregates are thin.
WITH targets AS (
    SELECT DISTINCT game_date FROM unnest($game_dates::DATE[]) AS u(game_date)
),
gs_today AS (
    SELECT g.game_date, g.season, g.game_code, g.player_id, g.player_lookup, g.player_name,
           g.team, g.opponent, g.is_home
    FROM player_game_summary g JOIN targets t ON g.game_date = t.game_date
),
up_today AS (
    SELECT u.game_date, u.season, u.game_code, u.player_id, u.player_lookup, u.player_name,
           u.team, u.opponent, u.is_home
    FROM upcoming_player_game_context u JOIN targets t ON u.game_date = t.game_date
),
n_gs AS (SELECT game_date, count(*) AS n FROM gs_today GROUP BY game_date),
n_up AS (SELECT game_date, count(*) AS n FROM up_today GROUP BY game_date),
choice AS (
    SELECT t.game_date,
           CASE WHEN coalesce(u.n, 0) > 0 AND coalesce(u.n, 0) >= $coverage_gate * coalesce(g.n, 0)
                THEN 'upcoming_context' ELSE 'game_summary' END AS context_source
    FROM targets t
    LEFT JOIN n_gs g ON g.game_date = t.game_date
    LEFT JOIN n_up u ON u.game_date = t.game_date
),
universe AS (
    SELECT g.*, c.context_source FROM gs_today g JOIN choice c ON c.game_date = g.game_date
    WHERE c.context_source = 'game_summary'
    UNION ALL
    SELECT u.*, c.context_source FROM up_today u JOIN choice c ON c.game_date = u.game_date
    WHERE c.context_source = 'upcoming_context'
),
hist AS (  -- aggregates ending at (and including) each game; read as of the next date on
    SELECT player_id, season, game_date,
           count(*) OVER w_season AS games_played,
           avg(points) OVER w5 AS points_l5,
           avg(points) OVER w10 AS points_l10,
           avg(points) OVER w20 AS points_l20,
           avg(points) OVER w_season AS points_season,
           stddev_samp(points) OVER w10 AS points_std_l10,
           avg(minutes) OVER w5 AS minutes_l5,
           avg(minutes) OVER w10 AS minutes_l10,
           avg(minutes) OVER w20 AS minutes_l20,
           avg(minutes) OVER w_season AS minutes_season,
           avg(rebounds) OVER w5 AS rebounds_l5,
           avg(rebounds) OVER w10 AS rebounds_l10,
           avg(rebounds) OVER w_season AS rebounds_season,
           avg(assists) OVER w5 AS assists_l5,
           avg(assists) OVER w10 AS assists_l10,
           avg(assists) OVER w_season AS assists_season,
           sum(points) OVER w10
           / nullif(sum(minutes) OVER w10, 0) AS points_per_min_l10,
           sum(points) OVER w_season
           / nullif(sum(minutes) OVER w_season, 0) AS points_per_min_season,
           avg(CAST(usage_per_min AS DECIMAL(18, 9))) OVER w5 AS usage_per_min_l5,
           avg(CAST(usage_per_min AS DECIMAL(18, 9))) OVER w_season AS usage_per_min_season,
           avg(CAST(ts_pct AS DECIMAL(18, 9))) OVER w10 AS ts_pct_l10
    FROM player_game_summary
    WHERE season IN (SELECT DISTINCT season FROM universe)
      AND game_date < (SELECT max(game_date) FROM targets)
    WINDOW w AS (PARTITION BY player_id, season ORDER BY game_date ASC NULLS FIRST),
           w5 AS (w ROWS BETWEEN 4 PRECEDING AND CURRENT ROW),
           w10 AS (w ROWS BETWEEN 9 PRECEDING AND CURRENT ROW),
           w20 AS (w ROWS BETWEEN 19 PRECEDING AND CURRENT ROW),
           w_season AS (w ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
),
last_game AS (  -- each universe player's latest game strictly before the date
    SELECT u.game_date, u.player_id, max(h.game_date) AS last_game_date,
           sum(CASE WHEN h.game_date >= u.game_date - INTERVAL 7 DAY THEN 1 ELSE 0 END) AS games_last_7d
    FROM universe u
    JOIN hist h ON h.player_id = u.player_id AND h.season = u.season AND h.game_date < u.game_date
    GROUP BY u.game_date, u.player_id
),
season_start AS (SELECT season, min(game_date) AS first_game FROM schedule GROUP BY season)
SELECT
    u.game_date,
    u.season,
    u.game_code,
    u.player_id,
    u.player_lookup,
    u.player_name,
    u.team,
    u.opponent,
    u.is_home,
    u.context_source,
    u.game_date < ss.first_game + INTERVAL ($bootstrap_days) DAY  AS bootstrap,
    l.last_game_date,
    date_diff('day', l.last_game_date, u.game_date)              AS rest_days,
    date_diff('day', l.last_game_date, u.game_date) = 1          AS back_to_back,
    coalesce(l.games_last_7d, 0)                                 AS games_last_7d,
    coalesce(h.games_played, 0)                                  AS games_played,
    h.points_l5, h.points_l10, h.points_l20, h.points_season, h.points_std_l10,
    h.minutes_l5, h.minutes_l10, h.minutes_l20, h.minutes_season,
    h.rebounds_l5, h.rebounds_l10, h.rebounds_season,
    h.assists_l5, h.assists_l10, h.assists_season,
    h.points_per_min_l10, h.points_per_min_season,
    h.usage_per_min_l5, h.usage_per_min_season,
    h.ts_pct_l10
FROM universe u
LEFT JOIN last_game l ON l.game_date = u.game_date AND l.player_id = u.player_id
LEFT JOIN hist h ON h.player_id = u.player_id AND h.season = u.season AND h.game_date = l.last_game_date
LEFT JOIN season_start ss ON ss.season = u.season
