-- upcoming_player_game_context: for each scheduled game not yet final, the players expected
-- to play and what is known before tip-off.
-- grain: one expected player in one upcoming game; partition: game_date ($game_dates)
-- key: game_code, player_id
-- inputs: schedule (the games and their status), player_game_summary (strictly before each
--         date: recent form and the player's current team), raw_prop_lines (the date: line),
--         player_availability (the date: each player's latest status, and how many of his
--         teammates are ruled out)
-- A game is upcoming when the schedule does not mark it final or it is after $today.
-- Expected players: seen for the team within the last $recent_days days, in the same season.
-- Dates whose games are all final hold no rows (the stale-row cleanup in ops/gates.py
-- empties them once their games become final).
WITH targets AS (
    SELECT DISTINCT game_date FROM unnest($game_dates::DATE[]) AS u(game_date)
),
games AS (
    SELECT s.game_date, s.season, s.game_code, s.home_team, s.away_team
    FROM schedule s JOIN targets t ON s.game_date = t.game_date
    WHERE s.status <> 'final' OR s.game_date > CAST($today AS DATE)
),
sides AS (
    SELECT game_date, season, game_code, home_team AS team, away_team AS opponent, true AS is_home
    FROM games
    UNION ALL
    SELECT game_date, season, game_code, away_team, home_team, false FROM games
),
history AS (  -- every earlier game of the season for each (date, player)
    SELECT g.game_date AS as_of, h.player_id, h.player_lookup, h.player_name, h.team,
           h.game_date, h.points, h.minutes,
           row_number() OVER (PARTITION BY g.game_date, h.player_id
                              ORDER BY h.game_date DESC) AS recency
    FROM (SELECT DISTINCT game_date, season FROM games) g
    JOIN player_game_summary h ON h.season = g.season AND h.game_date < g.game_date
),
form AS (
    SELECT as_of, player_id,
           max(CASE WHEN recency = 1 THEN player_lookup END) AS player_lookup,
           max(CASE WHEN recency = 1 THEN player_name END)   AS player_name,
           max(CASE WHEN recency = 1 THEN team END)          AS last_team,
           max(game_date)                                    AS last_game_date,
           count(*)                                          AS games_played,
           avg(CASE WHEN recency <= 5 THEN points END)       AS points_l5,
           avg(CASE WHEN recency <= 10 THEN points END)      AS points_l10,
           avg(points)                                       AS points_season,
           avg(CASE WHEN recency <= 5 THEN minutes END)      AS minutes_l5
    FROM history
    GROUP BY as_of, player_id
),
lines AS (  -- the most offered primary line per player and game; ties go to the lower line
    SELECT game_date, game_code, player_id, line, n_books
    FROM (
        SELECT *, row_number() OVER (PARTITION BY game_date, game_code, player_id
                                     ORDER BY n_books DESC, line) AS pick
        FROM (SELECT l.game_date, l.game_code, l.player_id, l.line, count(*) AS n_books
              FROM raw_prop_lines l JOIN targets t ON l.game_date = t.game_date
              WHERE l.is_primary_line AND l.player_id IS NOT NULL AND l.market = 'player_points'
              GROUP BY l.game_date, l.game_code, l.player_id, l.line)
    ) WHERE pick = 1
),
status AS (  -- the latest published status per listed player and game
    SELECT a.game_date, a.game_code, a.team, a.player_id, a.player_lookup,
           arg_max(a.status, a.as_of) AS status
    FROM player_availability a JOIN targets t ON a.game_date = t.game_date
    WHERE NOT coalesce(a.after_game, false)  -- gamebook statuses come after the game
    GROUP BY a.game_date, a.game_code, a.team, a.player_id, a.player_lookup
),
team_out AS (
    SELECT game_date, game_code, team, count(*) AS players_out
    FROM status WHERE status = 'out' GROUP BY game_date, game_code, team
)
SELECT
    s.game_date,
    s.season,
    s.game_code,
    f.player_id,
    f.player_lookup,
    f.player_name,
    s.team,
    s.opponent,
    s.is_home,
    f.last_game_date,
    date_diff('day', f.last_game_date, s.game_date)        AS rest_days,
    date_diff('day', f.last_game_date, s.game_date) = 1    AS back_to_back,
    f.games_played,
    f.points_l5,
    f.points_l10,
    f.points_season,
    f.minutes_l5,
    l.line,
    l.n_books,
    st.status                                                AS availability,
    coalesce(o.players_out, 0) - (coalesce(st.status, '') = 'out')::INT AS teammates_out
FROM sides s
JOIN form f ON f.as_of = s.game_date AND f.last_team = s.team
LEFT JOIN lines l ON l.game_date = s.game_date AND l.game_code = s.game_code AND l.player_id = f.player_id
LEFT JOIN status st ON st.game_date = s.game_date AND st.game_code = s.game_code AND st.player_id = f.player_id
LEFT JOIN team_out o ON o.game_date = s.game_date AND o.game_code = s.game_code AND o.team = s.team
WHERE f.last_game_date >= s.game_date - INTERVAL ($recent_days) DAY
