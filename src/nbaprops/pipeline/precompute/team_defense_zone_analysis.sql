-- team_defense_zone_analysis: each team's defence as of a date, from its games of the season
-- strictly before it: points allowed, rating, pace, and points allowed by zone (2s, 3s, FTs).
-- grain: one team with a game on the date (any status: upcoming games count)
-- partition: game_date ($game_dates); key: game_date, team
-- inputs: schedule (the date's games), team_defense_game_summary (strictly before)
-- Zone shares average only the games where the opponent had shooting counts.  League figures
-- are averages over every team-game of the season before the date (the matchup baseline).
-- Averages of fractional values go through DECIMAL(18, 9): exact sums, so the result does not
-- depend on the order the engine adds rows in (rebuilds are byte-identical).
WITH targets AS (
    SELECT DISTINCT game_date FROM unnest($game_dates::DATE[]) AS u(game_date)
),
games AS (
    SELECT s.game_date, s.season, s.game_code, s.home_team, s.away_team
    FROM schedule s JOIN targets t ON s.game_date = t.game_date
),
teams AS (
    SELECT game_date, season, game_code, home_team AS team, away_team AS opponent, true AS is_home
    FROM games
    UNION ALL
    SELECT game_date, season, game_code, away_team, home_team, false FROM games
),
history AS (
    SELECT t.game_date AS as_of, t.team AS as_team, d.*,
           row_number() OVER (PARTITION BY t.game_date, t.team ORDER BY d.game_date DESC) AS recency
    FROM teams t
    JOIN team_defense_game_summary d
      ON d.team = t.team AND d.season = t.season AND d.game_date < t.game_date
),
form AS (
    SELECT as_of, as_team,
           count(*)                                                       AS games,
           avg(CASE WHEN recency <= 10 THEN points_allowed END)           AS points_allowed_l10,
           avg(points_allowed)                                            AS points_allowed_season,
           avg(CASE WHEN recency <= 10 THEN CAST(defensive_rating AS DECIMAL(18, 9)) END)         AS def_rating_l10,
           avg(CAST(defensive_rating AS DECIMAL(18, 9)))                                          AS def_rating_season,
           avg(CASE WHEN recency <= 10 THEN CAST(pace AS DECIMAL(18, 9)) END)                     AS pace_l10,
           avg(CAST(pace AS DECIMAL(18, 9)))                                                      AS pace_season,
           avg(CASE WHEN recency <= 10 THEN rebounds_allowed END)         AS rebounds_allowed_l10,
           avg(CASE WHEN recency <= 10 THEN assists_allowed END)          AS assists_allowed_l10,
           count(opp_pts_share_3)                                         AS games_with_counts,
           avg(CAST(opp_pts_share_2 AS DECIMAL(18, 9)))                                           AS opp_pts_share_2,
           avg(CAST(opp_pts_share_3 AS DECIMAL(18, 9)))                                           AS opp_pts_share_3,
           avg(CAST(opp_pts_share_ft AS DECIMAL(18, 9)))                                          AS opp_pts_share_ft,
           avg(CAST(opp_efg_pct AS DECIMAL(18, 9)))                                               AS opp_efg_pct
    FROM history
    GROUP BY as_of, as_team
),
league AS (
    SELECT t.game_date,
           avg(d.points_allowed)   AS league_points_allowed,
           avg(CAST(d.defensive_rating AS DECIMAL(18, 9))) AS league_def_rating,
           avg(CAST(d.pace AS DECIMAL(18, 9)))             AS league_pace
    FROM (SELECT DISTINCT game_date, season FROM teams) t
    JOIN team_defense_game_summary d ON d.season = t.season AND d.game_date < t.game_date
    GROUP BY t.game_date
)
SELECT
    t.game_date,
    t.season,
    t.game_code,
    t.team,
    t.opponent,
    t.is_home,
    coalesce(f.games, 0)                                     AS games,
    f.points_allowed_l10, f.points_allowed_season,
    f.def_rating_l10, f.def_rating_season,
    f.pace_l10, f.pace_season,
    f.rebounds_allowed_l10, f.assists_allowed_l10,
    coalesce(f.games_with_counts, 0)                         AS games_with_counts,
    f.opp_pts_share_2, f.opp_pts_share_3, f.opp_pts_share_ft, f.opp_efg_pct,
    l.league_points_allowed, l.league_def_rating, l.league_pace
FROM teams t
LEFT JOIN form f ON f.as_of = t.game_date AND f.as_team = t.team
LEFT JOIN league l ON l.game_date = t.game_date
