-- upcoming_team_game_context: for each team in each scheduled game, what is known before it.
-- grain: one team in one game; partition: game_date ($game_dates: the dates to build)
-- key: game_code, team
-- inputs: schedule (the date's games; the season's earlier games for rest and travel),
--         player_game_summary and team_offense_game_summary (strictly before the date),
--         raw_game_lines (the date: the game's own pre-game spread and total),
--         player_availability (the date: statuses published before $status_cutoff_utc_hours
--         hours after midnight UTC of the game date)
-- Every game of the date gets rows, final or not: for a past date the row is what was knowable
-- before tip-off, so the walk-forward and a live day read the same definition.
-- Nothing dated on or after the date is read, except the date's own schedule and game lines
-- (posted before the game; the archive's result columns are never loaded).
-- Travel: the archive has no arena coordinates, so travel is `travelled` (the previous game of
-- the season was at another venue) and `road_games_in_row`; no distances.
-- Who is out (`out_players`, one struct per player):
--   * where player_availability holds a status for the player and game published before the
--     cutoff, it decides: out or doubtful = out (source 'injury_report'); any other status = in;
--   * otherwise (always in the public archive) the rule "absent from the team's previous game":
--     he played for the team in one of its last $out_window games before the date (within 60
--     days), he has not played for another team since, he did not play in the team's latest
--     game, and he averaged at least $out_min_minutes minutes over his own last 10 games
--     (source 'absent_last_game').
--   Each struct carries his means over his last 10 games (minutes and the six stats); a stat
--   mean is NULL where his rows lack it (threes need shooting counts).
-- Sums and means of fractional values go through DECIMAL(18, 9): exact, whatever the row order.
-- rotation_minutes: the sum of those 10-game minute means over the players of the team's latest
-- game (the players the out players' minutes are redistributed to).
WITH targets AS (
    SELECT DISTINCT game_date FROM unnest($game_dates::DATE[]) AS u(game_date)
),
games AS (
    SELECT s.game_date, s.season, s.game_code, s.game_key, s.home_team, s.away_team, s.status
    FROM schedule s JOIN targets t ON s.game_date = t.game_date
),
team_sched AS (  -- every game of the target seasons from each team's side, with its venue
    SELECT game_date, season, game_code, home_team AS team, home_team AS venue, true AS is_home
    FROM schedule WHERE season IN (SELECT DISTINCT season FROM games)
    UNION ALL
    SELECT game_date, season, game_code, away_team, home_team, false
    FROM schedule WHERE season IN (SELECT DISTINCT season FROM games)
),
sequenced AS (
    SELECT *,
           lag(game_date) OVER (PARTITION BY team, season ORDER BY game_date NULLS FIRST) AS last_date,
           lag(venue) OVER (PARTITION BY team, season ORDER BY game_date NULLS FIRST) AS last_venue,
           count(CASE WHEN is_home THEN 1 END) OVER (PARTITION BY team, season ORDER BY game_date NULLS FIRST) AS home_games_so_far
    FROM team_sched
),
road_runs AS (  -- road games in a row ending here: away games since the last home game
    SELECT *, CASE WHEN is_home THEN 0 ELSE
                   row_number() OVER (PARTITION BY team, season, home_games_so_far ORDER BY game_date NULLS FIRST)
                   - 1 + CASE WHEN home_games_so_far = 0 THEN 1 ELSE 0 END END AS road_games_in_row
    FROM sequenced
),
sides AS (
    SELECT g.game_date, g.season, g.game_code, g.game_key, g.status,
           r.team, CASE WHEN r.is_home THEN g.away_team ELSE g.home_team END AS opponent,
           r.is_home, r.venue, r.last_date, r.last_venue, r.road_games_in_row
    FROM games g JOIN road_runs r ON r.game_code = g.game_code
),
recent_load AS (
    SELECT s.game_code, s.team, count(ts.game_code) AS games_last_7d
    FROM sides s
    LEFT JOIN team_sched ts ON ts.team = s.team AND ts.game_date < s.game_date
         AND ts.game_date >= s.game_date - INTERVAL 7 DAY
    GROUP BY s.game_code, s.team
),
lines AS (
    SELECT l.game_code, l.total, l.home_spread
    FROM raw_game_lines l JOIN targets t ON l.game_date = t.game_date
),
bounds AS (
    SELECT max(game_date) AS hi FROM targets
),
team_rows AS (  -- each team's games that have box scores, latest first per side
    SELECT s.game_date AS as_of, s.team, o.game_code, o.game_date,
           row_number() OVER (PARTITION BY s.game_date, s.team ORDER BY o.game_date DESC) AS team_recency
    FROM sides s
    JOIN team_offense_game_summary o
      ON o.team = s.team AND o.game_date < s.game_date AND o.game_date >= s.game_date - INTERVAL 60 DAY
),
team_rolling AS (  -- each team-game with the team's means over its 10 games up to and including it
    SELECT o.game_code, o.team,
           count(*) OVER (PARTITION BY o.team ORDER BY o.game_date NULLS FIRST ROWS BETWEEN 9 PRECEDING AND CURRENT ROW)            AS team_games_l10,
           avg(CAST(o.pace AS DECIMAL(18, 9))) OVER (PARTITION BY o.team ORDER BY o.game_date NULLS FIRST ROWS BETWEEN 9 PRECEDING AND CURRENT ROW)         AS pace_l10,
           avg(CAST(o.offensive_rating AS DECIMAL(18, 9))) OVER (PARTITION BY o.team ORDER BY o.game_date NULLS FIRST ROWS BETWEEN 9 PRECEDING AND CURRENT ROW) AS off_rating_l10,
           avg(CAST(o.defensive_rating AS DECIMAL(18, 9))) OVER (PARTITION BY o.team ORDER BY o.game_date NULLS FIRST ROWS BETWEEN 9 PRECEDING AND CURRENT ROW) AS def_rating_l10,
           avg(o.points_scored) OVER (PARTITION BY o.team ORDER BY o.game_date NULLS FIRST ROWS BETWEEN 9 PRECEDING AND CURRENT ROW) AS team_points_l10,
           avg(o.rebounds) OVER (PARTITION BY o.team ORDER BY o.game_date NULLS FIRST ROWS BETWEEN 9 PRECEDING AND CURRENT ROW)     AS team_rebounds_l10,
           avg(o.assists) OVER (PARTITION BY o.team ORDER BY o.game_date NULLS FIRST ROWS BETWEEN 9 PRECEDING AND CURRENT ROW)      AS team_assists_l10,
           avg(o.fg3m) OVER (PARTITION BY o.team ORDER BY o.game_date NULLS FIRST ROWS BETWEEN 9 PRECEDING AND CURRENT ROW)         AS team_fg3m_l10,
           avg(o.steals) OVER (PARTITION BY o.team ORDER BY o.game_date NULLS FIRST ROWS BETWEEN 9 PRECEDING AND CURRENT ROW)       AS team_steals_l10,
           avg(o.blocks) OVER (PARTITION BY o.team ORDER BY o.game_date NULLS FIRST ROWS BETWEEN 9 PRECEDING AND CURRENT ROW)       AS team_blocks_l10
    FROM team_offense_game_summary o, bounds b
    WHERE o.game_date < b.hi  -- all earlier games: a window never depends on where a batch starts
),
team_form AS (  -- as of the date: the rolling means at the team's latest game before it
    SELECT r.as_of, r.team, t.* EXCLUDE (game_code, team)
    FROM team_rows r
    JOIN team_rolling t ON t.game_code = r.game_code AND t.team = r.team
    WHERE r.team_recency = 1
),
player_rolling AS (  -- each player-game with his means over his 10 games up to and including it
    SELECT p.game_code, p.game_date, p.team, p.player_id, p.player_name,
           lead(p.game_date) OVER (PARTITION BY p.player_id ORDER BY p.game_date NULLS FIRST) AS next_date,
           avg(p.minutes) OVER (PARTITION BY p.player_id ORDER BY p.game_date NULLS FIRST ROWS BETWEEN 9 PRECEDING AND CURRENT ROW) AS minutes, avg(p.points) OVER (PARTITION BY p.player_id ORDER BY p.game_date NULLS FIRST ROWS BETWEEN 9 PRECEDING AND CURRENT ROW) AS points,
           avg(p.rebounds) OVER (PARTITION BY p.player_id ORDER BY p.game_date NULLS FIRST ROWS BETWEEN 9 PRECEDING AND CURRENT ROW) AS rebounds, avg(p.assists) OVER (PARTITION BY p.player_id ORDER BY p.game_date NULLS FIRST ROWS BETWEEN 9 PRECEDING AND CURRENT ROW) AS assists,
           avg(p.fg3m) OVER (PARTITION BY p.player_id ORDER BY p.game_date NULLS FIRST ROWS BETWEEN 9 PRECEDING AND CURRENT ROW) AS fg3m, avg(p.steals) OVER (PARTITION BY p.player_id ORDER BY p.game_date NULLS FIRST ROWS BETWEEN 9 PRECEDING AND CURRENT ROW) AS steals, avg(p.blocks) OVER (PARTITION BY p.player_id ORDER BY p.game_date NULLS FIRST ROWS BETWEEN 9 PRECEDING AND CURRENT ROW) AS blocks
    FROM player_game_summary p, bounds b
    WHERE p.game_date < b.hi
),
appearances AS (  -- each player's latest game among the team's last $out_window before the date
    SELECT * FROM (
        SELECT r.as_of, r.team, r.team_recency, p.* EXCLUDE (team, game_code, game_date),
               row_number() OVER (PARTITION BY r.as_of, r.team, p.player_id ORDER BY r.team_recency)
                   AS pick
        FROM team_rows r
        JOIN player_rolling p ON p.game_code = r.game_code AND p.team = r.team
        WHERE r.team_recency <= $out_window
    ) WHERE pick = 1
),
status AS (  -- the latest status published before the cutoff, per listed player and game
    SELECT a.game_date, a.game_code, a.team, a.player_id,
           arg_max(a.status, a.as_of) AS status
    FROM player_availability a JOIN targets t ON a.game_date = t.game_date
    WHERE a.player_id IS NOT NULL AND NOT coalesce(a.after_game, false)  -- gamebook rows: after the fact
      AND epoch(a.as_of) < epoch(CAST(a.game_date AS TIMESTAMP)) + 3600 * $status_cutoff_utc_hours
    GROUP BY a.game_date, a.game_code, a.team, a.player_id
),
inferred AS (  -- absent from the team's latest game, still his latest team, a rotation player
    SELECT s.game_date, s.game_code, s.team, a.player_id
    FROM sides s
    JOIN appearances a ON a.as_of = s.game_date AND a.team = s.team
    WHERE a.team_recency > 1
      AND (a.next_date IS NULL OR a.next_date >= s.game_date)  -- no later game for another team
      AND a.minutes >= $out_min_minutes
),
out_list AS (
    SELECT coalesce(i.game_date, st.game_date) AS game_date, coalesce(i.game_code, st.game_code) AS game_code,
           coalesce(i.team, st.team) AS team, coalesce(i.player_id, st.player_id) AS player_id,
           CASE WHEN st.status IS NOT NULL THEN 'injury_report' ELSE 'absent_last_game' END AS source
    FROM inferred i
    FULL OUTER JOIN status st
      ON st.game_code = i.game_code AND st.team = i.team AND st.player_id = i.player_id
    WHERE coalesce(st.status IN ('out', 'doubtful'), true)
),
latest_form AS (  -- every recent player's means after his latest game before the date
    SELECT * FROM (
        SELECT s.game_date AS as_of, s.team, p.player_id, p.player_name, p.minutes, p.points,
               p.rebounds, p.assists, p.fg3m, p.steals, p.blocks,
               row_number() OVER (PARTITION BY s.game_date, s.team, p.player_id
                                  ORDER BY p.game_date DESC) AS pick
        FROM out_list o
        JOIN sides s ON s.game_code = o.game_code AND s.team = o.team
        JOIN player_rolling p ON p.player_id = o.player_id AND p.game_date < s.game_date
                             AND p.game_date >= s.game_date - INTERVAL 120 DAY
    ) WHERE pick = 1
),
out_agg AS (
    SELECT o.game_code, o.team,
           count(*)                          AS players_out,
           CAST(coalesce(sum(CAST(f.minutes AS DECIMAL(18, 9))), 0) AS DOUBLE) AS out_minutes,
           list_sort(list({'player_id': o.player_id, 'player_name': f.player_name, 'source': o.source,
                 'minutes': f.minutes, 'pts': f.points, 'reb': f.rebounds, 'ast': f.assists,
                 'fg3m': f.fg3m, 'stl': f.steals, 'blk': f.blocks})) AS out_players
    FROM out_list o
    LEFT JOIN latest_form f ON f.as_of = o.game_date AND f.team = o.team AND f.player_id = o.player_id
    GROUP BY o.game_code, o.team
),
rotation AS (
    SELECT as_of, team, CAST(sum(CAST(minutes AS DECIMAL(18, 9))) AS DOUBLE) AS rotation_minutes,
           count(*) AS rotation_players
    FROM appearances WHERE team_recency = 1
    GROUP BY as_of, team
),
reported AS (
    SELECT game_code, team, count(*) AS players_listed FROM status GROUP BY game_code, team
)
SELECT
    s.game_date,
    s.season,
    s.game_code,
    s.game_key,
    s.team,
    s.opponent,
    s.is_home,
    s.status                                                       AS game_status,
    date_diff('day', s.last_date, s.game_date)                     AS rest_days,
    coalesce(date_diff('day', s.last_date, s.game_date) = 1, false) AS back_to_back,
    rl.games_last_7d,
    s.venue,
    s.last_venue IS NOT NULL AND s.last_venue <> s.venue           AS travelled,
    s.road_games_in_row,
    l.total                                                        AS game_total,
    CASE WHEN s.is_home THEN l.home_spread ELSE -l.home_spread END AS team_spread,
    l.total / 2.0 - (CASE WHEN s.is_home THEN l.home_spread ELSE -l.home_spread END) / 2.0
                                                                   AS implied_team_points,
    tf.team_games_l10,
    tf.pace_l10,
    tf.off_rating_l10,
    tf.def_rating_l10,
    tf.team_points_l10,
    tf.team_rebounds_l10,
    tf.team_assists_l10,
    tf.team_fg3m_l10,
    tf.team_steals_l10,
    tf.team_blocks_l10,
    opf.pace_l10                                                   AS opp_pace_l10,
    opf.off_rating_l10                                             AS opp_off_rating_l10,
    opf.def_rating_l10                                             AS opp_def_rating_l10,
    rot.rotation_minutes,
    rot.rotation_players,
    coalesce(oa.players_out, 0)                                    AS players_out,
    coalesce(oa.out_minutes, 0)                                    AS out_minutes,
    oa.out_players,
    CASE WHEN rp.players_listed IS NOT NULL THEN 'injury_report' ELSE 'absent_last_game' END
                                                                   AS availability_source
FROM sides s
LEFT JOIN recent_load rl ON rl.game_code = s.game_code AND rl.team = s.team
LEFT JOIN lines l ON l.game_code = s.game_code
LEFT JOIN team_form tf ON tf.as_of = s.game_date AND tf.team = s.team
LEFT JOIN team_form opf ON opf.as_of = s.game_date AND opf.team = s.opponent
LEFT JOIN rotation rot ON rot.as_of = s.game_date AND rot.team = s.team
LEFT JOIN out_agg oa ON oa.game_code = s.game_code AND oa.team = s.team
LEFT JOIN reported rp ON rp.game_code = s.game_code AND rp.team = s.team
