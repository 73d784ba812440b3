-- predictions: the moving-average system's points estimate per expected player,
-- with the consensus line and an OVER/UNDER/PASS call.
-- grain: (game_code, player_id, system); partition: game_date ($game_date)
-- key: game_code, player_id, system
-- inputs: schedule (games of the date), player_game_summary (strictly before the date),
--         raw_prop_lines (the date)
-- Only rows dated before $game_date are read for history: no leakage by construction.
WITH games AS (
    SELECT game_code, season, home_team, away_team
    FROM schedule WHERE game_date = $game_date
),
sides AS (
    SELECT game_code, season, home_team AS team, away_team AS opponent, true AS is_home FROM games
    UNION ALL
    SELECT game_code, season, away_team, home_team, false FROM games
),
history AS (
    SELECT s.player_id, s.player_lookup, s.player_name, s.team, s.game_date, s.points,
           row_number() OVER (PARTITION BY s.player_id ORDER BY s.game_date DESC) AS recency
    FROM player_game_summary s
    WHERE s.game_date < $game_date
      AND s.season = (SELECT any_value(season) FROM games)
),
form AS (
    SELECT player_id,
           any_value(player_lookup) FILTER (WHERE recency = 1) AS player_lookup,
           any_value(player_name) FILTER (WHERE recency = 1)   AS player_name,
           any_value(team) FILTER (WHERE recency = 1)          AS last_team,
           max(game_date)                                      AS last_game,
           avg(points) FILTER (WHERE recency <= 5)             AS l5,
           avg(points) FILTER (WHERE recency <= 10)            AS l10,
           avg(points)                                         AS season_avg,
           count(*)                                            AS games_used
    FROM history GROUP BY player_id
),
-- players expected tonight: on a team that plays, seen for it in the last 21 days
expected AS (
    SELECT f.player_id, s.game_code, s.team, s.opponent, s.is_home
    FROM form f JOIN sides s ON s.team = f.last_team
    WHERE f.last_game >= $game_date - INTERVAL 21 DAY
),
known_names AS (  -- name -> id from history, for lines the source left unmatched
    SELECT player_lookup, arg_max(player_id, game_date) AS player_id
    FROM player_game_summary WHERE game_date < $game_date GROUP BY 1
),
lines AS (
    SELECT coalesce(l.player_id, k.player_id) AS player_id, l.player_lookup, l.player_name,
           l.game_code, l.bookmaker, l.line, l.over_odds, l.under_odds
    FROM raw_prop_lines l LEFT JOIN known_names k USING (player_lookup)
    WHERE l.game_date = $game_date AND l.is_primary_line
      AND coalesce(l.player_id, k.player_id) IS NOT NULL
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
universe AS (
    SELECT player_id, game_code FROM expected
    UNION
    SELECT player_id, game_code FROM consensus
),
line_names AS (
    SELECT player_id, any_value(player_lookup) AS player_lookup, any_value(player_name) AS player_name
    FROM lines GROUP BY player_id
),
scored AS (
    SELECT
        u.game_code, u.player_id,
        coalesce(f.player_lookup, n.player_lookup) AS player_lookup,
        coalesce(f.player_name, n.player_name)     AS player_name,
        coalesce(f.games_used, 0)                  AS games_used,
        CASE WHEN f.games_used >= $min_games
             THEN 0.5 * f.l5 + 0.3 * f.l10 + 0.2 * f.season_avg END AS predicted_points,
        c.line, c.n_books
    FROM universe u
    LEFT JOIN form f USING (player_id)
    LEFT JOIN consensus c USING (player_id, game_code)
    LEFT JOIN line_names n USING (player_id)
),
called AS (
    SELECT *,
        predicted_points - line AS edge,
        CASE
            WHEN line IS NULL THEN 'PASS'
            WHEN predicted_points IS NULL THEN 'PASS'
            WHEN predicted_points - line >= $edge THEN 'OVER'
            WHEN line - predicted_points >= $edge THEN 'UNDER'
            ELSE 'PASS'
        END AS recommendation,
        CASE
            WHEN predicted_points IS NULL THEN 'insufficient history'
            WHEN line IS NULL THEN 'no line'
            WHEN abs(predicted_points - line) < $edge THEN 'small edge'
        END AS reason
    FROM scored
),
priced AS (  -- the book offering the consensus line at the best price for the call
    SELECT c.game_code, c.player_id,
           arg_max(l.bookmaker,
                   CASE WHEN c.recommendation = 'UNDER' THEN l.under_odds ELSE l.over_odds END
           ) AS line_book,
           arg_max(l.over_odds, CASE WHEN c.recommendation = 'UNDER' THEN l.under_odds
                                     ELSE l.over_odds END) AS over_odds,
           arg_max(l.under_odds, CASE WHEN c.recommendation = 'UNDER' THEN l.under_odds
                                      ELSE l.over_odds END) AS under_odds
    FROM called c JOIN lines l
      ON l.player_id = c.player_id AND l.game_code = c.game_code AND l.line = c.line
    GROUP BY c.game_code, c.player_id
)
SELECT
    $game_date::DATE                      AS game_date,
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
    c.reason
FROM called c
LEFT JOIN priced p USING (game_code, player_id)
LEFT JOIN expected s USING (game_code, player_id)
