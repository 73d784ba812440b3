-- team_offense_game_summary: one row per team per game, from the scoring team's side.
-- grain: one team in one game; partition: game_date ($game_dates: the dates to build)
-- key: game_code, team
-- inputs: player_game_summary (the dates), schedule (official scores)
-- Possessions are the box-score estimate (FGA + 0.44 FTA - OREB + TOV, averaged over both
-- teams) when every player row of both teams has shooting counts; otherwise the points proxy
-- (points of both teams / 2 / $points_per_possession), the same two rules as
-- team_defense_game_summary; pace_method says which.  With the proxy, offensive rating is
-- 100 * points / possessions = $points_per_possession * 200 * points / (points of both teams):
-- a share of the game's points, informative about the margin but not about efficiency.
-- The shooting totals (fga, fta, fg3a, fg3m, oreb, efg_pct, ts_pct) are NULL on team-games where
-- any player row lacks counts (all of 2017-18 .. 2023-24, most of 2025-26 in the archive).
WITH targets AS (
    SELECT DISTINCT game_date FROM unnest($game_dates::DATE[]) AS u(game_date)
),
sides AS (
    SELECT p.game_date, p.season, p.game_code, p.team, any_value(p.opponent) AS opponent,
           any_value(p.is_home) AS is_home,
           CAST(sum(p.points) AS BIGINT) AS points, CAST(sum(p.rebounds) AS BIGINT) AS rebounds,
           CAST(sum(p.assists) AS BIGINT) AS assists, CAST(sum(p.steals) AS BIGINT) AS steals,
           CAST(sum(p.blocks) AS BIGINT) AS blocks, CAST(sum(p.turnovers) AS BIGINT) AS turnovers, sum(p.minutes) AS player_minutes, count(*) AS players,
           bool_and(coalesce(p.has_shooting_counts, false)) AS complete_counts,
           sum(p.fgm) AS fgm, sum(p.fga) AS fga, sum(p.fg3m) AS fg3m, sum(p.fg3a) AS fg3a,
           sum(p.ftm) AS ftm, sum(p.fta) AS fta, sum(p.offensive_rebounds) AS oreb
    FROM player_game_summary p
    JOIN targets t ON p.game_date = t.game_date
    GROUP BY p.game_date, p.season, p.game_code, p.team
),
paired AS (
    SELECT d.*,
           o.points AS opp_points_box,
           o.complete_counts AS opp_complete_counts,
           48 + 5 * greatest(0, round((d.player_minutes / 5.0 - 48) / 5.0)) AS game_minutes,
           CASE WHEN d.complete_counts AND o.complete_counts
                THEN 0.5 * ((d.fga + 0.44 * d.fta - d.oreb + d.turnovers)
                          + (o.fga + 0.44 * o.fta - o.oreb + o.turnovers)) END AS box_possessions
    FROM sides d
    JOIN sides o ON o.game_code = d.game_code AND o.team = d.opponent
),
scored AS (
    SELECT p.*,
           coalesce(CASE WHEN p.is_home THEN s.home_pts ELSE s.away_pts END, p.points) AS points_scored,
           coalesce(CASE WHEN p.is_home THEN s.away_pts ELSE s.home_pts END, p.opp_points_box)
                                                                                 AS points_allowed,
           coalesce(p.box_possessions, (p.points + p.opp_points_box) / 2.0 / $points_per_possession)
                                                                                 AS possessions
    FROM paired p
    LEFT JOIN schedule s ON s.game_code = p.game_code
)
SELECT
    game_date,
    season,
    game_code,
    team,
    opponent,
    is_home,
    points_scored,
    points_allowed,
    points_scored - points_allowed                                 AS margin,
    rebounds,
    assists,
    steals,
    blocks,
    turnovers,
    players,
    game_minutes,
    complete_counts                                                AS has_shooting_counts,
    CASE WHEN complete_counts THEN fga END                         AS fga,
    CASE WHEN complete_counts THEN fta END                         AS fta,
    CASE WHEN complete_counts THEN fg3a END                        AS fg3a,
    CASE WHEN complete_counts THEN fg3m END                        AS fg3m,
    CASE WHEN complete_counts THEN oreb END                        AS offensive_rebounds,
    CASE WHEN complete_counts AND fga > 0 THEN (fgm + 0.5 * fg3m) / fga END AS efg_pct,
    CASE WHEN complete_counts AND fga + 0.44 * fta > 0
         THEN points / (2 * (fga + 0.44 * fta)) END               AS ts_pct,
    possessions,
    CASE WHEN box_possessions IS NOT NULL THEN 'box' ELSE 'points_proxy' END AS pace_method,
    48.0 * possessions / nullif(game_minutes, 0)                  AS pace,
    100.0 * points_scored / nullif(possessions, 0)                            AS offensive_rating,
    100.0 * points_allowed / nullif(possessions, 0)                           AS defensive_rating,
    100.0 * (points_scored - points_allowed) / nullif(possessions, 0)         AS net_rating
FROM scored
