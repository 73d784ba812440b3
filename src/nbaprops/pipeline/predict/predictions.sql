-- predictions: the moving-average system's points estimate per expected player,
-- with the consensus line and an OVER/UNDER/PASS call.
-- grain: (game_code, player_id, system); partition: game_date ($game_dates: the dates to build)
-- key: game_code, player_id, system
-- inputs: schedule (games of the dates), player_game_summary (strictly before each date),
--         raw_prop_lines (the dates), player_availability (the dates: the latest status per
--         player and game; a player ruled out gets PASS, reason 'ruled out')
-- Each target date reads only rows dated before it: no leakage by construction.  A game_code
-- names its date, so everything keyed by game_code belongs to exactly one target.
WITH targets AS (
    SELECT DISTINCT game_date AS target FROM unnest($game_dates::DATE[]) AS u(game_date)
),
games AS (
    SELECT s.game_date AS target, s.game_code, s.season, s.home_team, s.away_team
    FROM schedule s JOIN targets t ON s.game_date = t.target
),
target_seasons AS (
    SELECT DISTINCT target, season FROM games
),
sides AS (
    SELECT target, game_code, season, home_team AS team, away_team AS opponent, true AS is_home FROM games
    UNION ALL
    SELECT target, game_code, season, away_team, home_team, false FROM games
),
history AS (
    SELECT ts.target, s.player_id, s.player_lookup, s.player_name, s.team, s.game_date, s.points,
           row_number() OVER (PARTITION BY ts.target, s.player_id ORDER BY s.game_date DESC) AS recency
    FROM player_game_summary s
    JOIN target_seasons ts ON s.season = ts.season AND s.game_date < ts.target
),
form AS (
    SELECT target, player_id,
           any_value(player_lookup) FILTER (WHERE recency = 1) AS player_lookup,
           any_value(player_name) FILTER (WHERE recency = 1)   AS player_name,
           any_value(team) FILTER (WHERE recency = 1)          AS last_team,
           max(game_date)                                      AS last_game,
           avg(points) FILTER (WHERE recency <= 5)             AS l5,
           avg(points) FILTER (WHERE recency <= 10)            AS l10,
           avg(points)                                         AS season_avg,
           count(*)                                            AS games_used
    FROM history GROUP BY target, player_id
),
-- players expected on a date: on a team that plays, seen for it in the last 21 days
expected AS (
    SELECT f.target, f.player_id, s.game_code, s.team, s.opponent, s.is_home
    FROM form f JOIN sides s ON s.target = f.target AND s.team = f.last_team
    WHERE f.last_game >= f.target - INTERVAL 21 DAY
),
day_lines AS (
    SELECT l.* FROM raw_prop_lines l JOIN targets t ON l.game_date = t.target
    WHERE l.market = 'player_points'
),
known_names AS (  -- name -> id from history before the date, for lines the source left unmatched
    SELECT l.game_date AS target, l.player_lookup, arg_max(s.player_id, s.game_date) AS player_id
    FROM (SELECT DISTINCT game_date, player_lookup FROM day_lines WHERE player_id IS NULL) l
    JOIN player_game_summary s ON s.player_lookup = l.player_lookup AND s.game_date < l.game_date
    GROUP BY 1, 2
),
lines AS (
    SELECT coalesce(l.player_id, k.player_id) AS player_id, l.player_lookup, l.player_name,
           l.game_code, l.bookmaker, l.line, l.over_odds, l.under_odds
    FROM day_lines l
    LEFT JOIN known_names k ON k.target = l.game_date AND k.player_lookup = l.player_lookup
    WHERE l.is_primary_line AND coalesce(l.player_id, k.player_id) IS NOT NULL
),
consensus AS (  -- the most offered line; ties go to the lower line
    SELECT player_id, game_code, line, n_books
    FROM (
        SELECT *, row_number() OVER (PARTITION BY player_id, game_code
                                     ORDER BY n_books DESC, line) AS pick
        FROM (SELECT player_id, game_code, line, count(*) AS n_books
              FROM lines GROUP BY player_id, game_code, line)
    ) WHERE pick = 1
),
availability AS (  -- the latest published status per player and game of the dates
    SELECT a.game_code, a.player_id, arg_max(a.status, a.as_of) AS status
    FROM player_availability a JOIN targets t ON a.game_date = t.target
    WHERE a.player_id IS NOT NULL AND NOT coalesce(a.after_game, false)  -- gamebook: after the game
    GROUP BY a.game_code, a.player_id
),
universe AS (
    SELECT player_id, game_code FROM expected
    UNION
    SELECT player_id, game_code FROM consensus
),
line_names AS (
    SELECT player_id, game_code, any_value(player_lookup) AS player_lookup,
           any_value(player_name) AS player_name
    FROM lines GROUP BY player_id, game_code
),
scored AS (
    SELECT
        u.game_code, u.player_id, g.target,
        coalesce(f.player_lookup, n.player_lookup) AS player_lookup,
        coalesce(f.player_name, n.player_name)     AS player_name,
        coalesce(f.games_used, 0)                  AS games_used,
        CASE WHEN f.games_used >= $min_games
             THEN 0.5 * f.l5 + 0.3 * f.l10 + 0.2 * f.season_avg END AS predicted_points,
        c.line, c.n_books, av.status AS availability
    FROM universe u
    JOIN games g ON g.game_code = u.game_code
    LEFT JOIN form f ON f.target = g.target AND f.player_id = u.player_id
    LEFT JOIN consensus c ON c.player_id = u.player_id AND c.game_code = u.game_code
    LEFT JOIN line_names n ON n.player_id = u.player_id AND n.game_code = u.game_code
    LEFT JOIN availability av ON av.player_id = u.player_id AND av.game_code = u.game_code
),
called AS (
    SELECT *,
        predicted_points - line AS edge,
        CASE
            WHEN availability = 'out' THEN 'PASS'
            WHEN line IS NULL THEN 'PASS'
            WHEN predicted_points IS NULL THEN 'PASS'
            WHEN predicted_points - line >= $edge THEN 'OVER'
            WHEN line - predicted_points >= $edge THEN 'UNDER'
            ELSE 'PASS'
        END AS recommendation,
        CASE
            WHEN availability = 'out' THEN 'ruled out'
            WHEN predicted_points IS NULL THEN 'insufficient history'
            WHEN line IS NULL THEN 'no line'
            WHEN abs(predicted_points - line) < $edge THEN 'small edge'
        END AS reason
    FROM scored
),
priced AS (  -- the book offering the consensus line at the best price for the call
    -- (ties in price go to the first book by name: the same rows whatever the scan order)
    SELECT game_code, player_id, line_book, over_odds, under_odds
    FROM (
        SELECT c.game_code, c.player_id, l.bookmaker AS line_book, l.over_odds, l.under_odds,
               row_number() OVER (
                   PARTITION BY c.game_code, c.player_id
                   ORDER BY CASE WHEN c.recommendation = 'UNDER' THEN l.under_odds
                                 ELSE l.over_odds END DESC, l.bookmaker
               ) AS pick
        FROM called c JOIN lines l
          ON l.player_id = c.player_id AND l.game_code = c.game_code AND l.line = c.line
    ) WHERE pick = 1
)
SELECT
    c.target                              AS game_date,
    c.game_code,
    c.player_id,
    c.player_lookup,
    c.player_name,
    s.team,
    s.opponent,
    'moving_average'                      AS system,
    '1'                                   AS system_version,
    c.games_used,
    round(c.predicted_points, 3)          AS predicted_points,
    c.line,
    c.n_books,
    p.line_book,
    p.over_odds,
    p.under_odds,
    round(c.edge, 3)                      AS edge,
    c.recommendation,
    c.reason,
    c.availability
FROM called c
LEFT JOIN priced p USING (game_code, player_id)
LEFT JOIN expected s USING (game_code, player_id)
