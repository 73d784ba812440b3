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
--     he played for the team in one of its last $out_window games before the date, the team is
--     his latest team, he did not play in the team's latest game, and he averaged at least
--     $out_min_minutes minutes over his own last 10 games (source 'absent_last_game').
--   Each struct carries his means over his last 10 games (minutes and the six stats); a stat
--   mean is NULL where his rows lack it (threes need shooting counts).
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
           lag(game_date) OVER w AS last_date,
           lag(venue) OVER w     AS last_venue,
           lag(is_home) OVER w   AS last_is_home,
           -- road games in a row ending here: away games since the last home game
           count(CASE WHEN is_home THEN 1 END) OVER w AS home_games_so_far
    FROM team_sched
    WINDOW w AS (PARTITION BY team, season ORDER BY game_date)
),
road_runs AS (
    SELECT *, CASE WHEN is_home THEN 0 ELSE
                   row_number() OVER (PARTITION BY team, season, home_games_so_far ORDER BY game_date)
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
team_form AS (  -- each side's and its opponent's last 10 team-games before the date
    SELECT as_of, team,
           count(*)                                         AS team_games_l10,
           avg(pace)                                        AS pace_l10,
           avg(offensive_rating)                            AS off_rating_l10,
           avg(defensive_rating)                            AS def_rating_l10,
           avg(points_scored)                               AS team_points_l10,
           avg(rebounds)                                    AS team_rebounds_l10,
           avg(assists)                                     AS team_assists_l10,
           avg(fg3m)                                        AS team_fg3m_l10,
           avg(steals)                                      AS team_steals_l10,
           avg(blocks)                                      AS team_blocks_l10
    FROM (
        SELECT t.game_date AS as_of, o.*,
               row_number() OVER (PARTITION BY t.game_date, o.team ORDER BY o.game_date DESC) AS recency
        FROM targets t
        JOIN team_offense_game_summary o
          ON o.game_date < t.game_date AND o.game_date >= t.game_date - INTERVAL 365 DAY
    ) WHERE recency <= 10
    GROUP BY as_of, team
),
hist AS (  -- player rows of the 120 days before each date
    SELECT t.game_date AS as_of, p.game_date, p.game_code, p.team, p.player_id, p.player_name,
           p.minutes, p.points, p.rebounds, p.assists, p.fg3m, p.steals, p.blocks,
           row_number() OVER (PARTITION BY t.game_date, p.player_id ORDER BY p.game_date DESC) AS recency
    FROM targets t
    JOIN player_game_summary p
      ON p.game_date < t.game_date AND p.game_date >= t.game_date - INTERVAL 120 DAY
),
player_form AS (  -- each player's last 10 games (any team) and latest team
    SELECT as_of, player_id,
           max(CASE WHEN recency = 1 THEN team END)        AS latest_team,
           max(CASE WHEN recency = 1 THEN player_name END) AS player_name,
           avg(minutes) AS minutes, avg(points) AS points, avg(rebounds) AS rebounds,
           avg(assists) AS assists, avg(fg3m) AS fg3m, avg(steals) AS steals, avg(blocks) AS blocks
    FROM hist WHERE recency <= 10
    GROUP BY as_of, player_id
),
team_games AS (  -- each team's games before the date, latest first
    SELECT as_of, team, game_date,
           row_number() OVER (PARTITION BY as_of, team ORDER BY game_date DESC) AS team_recency
    FROM (SELECT DISTINCT as_of, team, game_date FROM hist)
),
appearances AS (
    SELECT h.as_of, h.team, h.player_id, min(g.team_recency) AS latest_appearance
    FROM hist h
    JOIN team_games g ON g.as_of = h.as_of AND g.team = h.team AND g.game_date = h.game_date
    WHERE g.team_recency <= $out_window
    GROUP BY h.as_of, h.team, h.player_id
),
status AS (  -- the latest status published before the cutoff, per listed player and game
    SELECT a.game_date, a.game_code, a.team, a.player_id,
           arg_max(a.status, a.as_of) AS status
    FROM player_availability a JOIN targets t ON a.game_date = t.game_date
    WHERE a.player_id IS NOT NULL
      AND epoch(a.as_of) < epoch(CAST(a.game_date AS TIMESTAMP)) + 3600 * $status_cutoff_utc_hours
    GROUP BY a.game_date, a.game_code, a.team, a.player_id
),
inferred AS (
    SELECT s.game_date, s.game_code, s.team, a.player_id
    FROM sides s
    JOIN appearances a ON a.as_of = s.game_date AND a.team = s.team AND a.latest_appearance > 1
    JOIN player_form f ON f.as_of = s.game_date AND f.player_id = a.player_id
    WHERE f.latest_team = s.team AND f.minutes >= $out_min_minutes
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
out_agg AS (
    SELECT o.game_code, o.team,
           count(*)                          AS players_out,
           coalesce(sum(f.minutes), 0)       AS out_minutes,
           list_sort(list({'player_id': o.player_id, 'player_name': f.player_name, 'source': o.source,
                 'minutes': f.minutes, 'pts': f.points, 'reb': f.rebounds, 'ast': f.assists,
                 'fg3m': f.fg3m, 'stl': f.steals, 'blk': f.blocks})) AS out_players
    FROM out_list o
    LEFT JOIN player_form f ON f.as_of = o.game_date AND f.player_id = o.player_id
    GROUP BY o.game_code, o.team
),
rotation AS (
    SELECT a.as_of, a.team, sum(f.minutes) AS rotation_minutes, count(*) AS rotation_players
    FROM appearances a
    JOIN player_form f ON f.as_of = a.as_of AND f.player_id = a.player_id
    WHERE a.latest_appearance = 1
    GROUP BY a.as_of, a.team
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
