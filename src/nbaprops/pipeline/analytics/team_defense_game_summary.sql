-- team_defense_game_summary: one row per team per game, from the defending team's side.
-- grain: one team in one game; partition: game_date ($game_dates: the dates to build)
-- key: game_code, team
-- inputs: player_game_summary (the dates), schedule (official scores)
-- Opponent shooting is split by the zones the public data can show: 2-point field goals,
-- 3-point field goals and free throws (no shot locations exist).  It is NULL unless every
-- opponent row of the game has shooting counts.  Possessions use the box-score estimate
-- (FGA + 0.44 FTA - OREB + TOV, averaged over both teams) when both teams have counts;
-- otherwise a points proxy (points of both teams / 2 / $points_per_possession); pace_method
-- says which.
WITH targets AS (
    SELECT DISTINCT game_date FROM unnest($game_dates::DATE[]) AS u(game_date)
),
sides AS (  -- one row per team-game with the team's own box totals
    SELECT p.game_date, p.season, p.game_code, p.team, any_value(p.opponent) AS opponent,
           any_value(p.is_home) AS is_home,
           sum(p.points) AS points, sum(p.rebounds) AS rebounds, sum(p.assists) AS assists,
           sum(p.turnovers) AS turnovers, sum(p.minutes) AS player_minutes,
           count(*) AS players,
           bool_and(coalesce(p.has_shooting_counts, false)) AS complete_counts,
           sum(p.fgm) AS fgm, sum(p.fga) AS fga, sum(p.fg3m) AS fg3m, sum(p.fg3a) AS fg3a,
           sum(p.ftm) AS ftm, sum(p.fta) AS fta, sum(p.offensive_rebounds) AS oreb
    FROM player_game_summary p
    JOIN targets t ON p.game_date = t.game_date
    GROUP BY p.game_date, p.season, p.game_code, p.team
),
paired AS (
    SELECT d.*,
           o.points AS opp_points_box, o.rebounds AS opp_rebounds, o.assists AS opp_assists,
           o.turnovers AS opp_turnovers, o.complete_counts AS opp_complete_counts,
           o.fgm AS opp_fgm_raw, o.fga AS opp_fga_raw, o.fg3m AS opp_fg3m_raw,
           o.fg3a AS opp_fg3a_raw, o.ftm AS opp_ftm_raw, o.fta AS opp_fta_raw, o.oreb AS opp_oreb_raw,
           -- whole game length from the minutes played (5 players on court; overtime periods of 5)
           48 + 5 * greatest(0, round((d.player_minutes / 5.0 - 48) / 5.0)) AS game_minutes,
           CASE WHEN d.complete_counts AND o.complete_counts
                THEN 0.5 * ((d.fga + 0.44 * d.fta - d.oreb + d.turnovers)
                          + (o.fga + 0.44 * o.fta - o.oreb + o.turnovers)) END AS box_possessions
    FROM sides d
    JOIN sides o ON o.game_code = d.game_code AND o.team = d.opponent
)
SELECT
    p.game_date,
    p.season,
    p.game_code,
    p.team,
    p.opponent,
    p.is_home,
    coalesce(CASE WHEN p.is_home THEN s.away_pts ELSE s.home_pts END, p.opp_points_box)
                                                          AS points_allowed,
    p.points                                              AS points_scored,
    p.opp_rebounds                                        AS rebounds_allowed,
    p.opp_assists                                         AS assists_allowed,
    p.turnovers                                           AS turnovers_committed,
    p.opp_turnovers                                       AS turnovers_forced,
    p.opp_complete_counts                                 AS opp_has_shooting_counts,
    CASE WHEN p.opp_complete_counts THEN p.opp_fgm_raw - p.opp_fg3m_raw END AS opp_fg2m,
    CASE WHEN p.opp_complete_counts THEN p.opp_fga_raw - p.opp_fg3a_raw END AS opp_fg2a,
    CASE WHEN p.opp_complete_counts THEN p.opp_fg3m_raw END             AS opp_fg3m,
    CASE WHEN p.opp_complete_counts THEN p.opp_fg3a_raw END             AS opp_fg3a,
    CASE WHEN p.opp_complete_counts THEN p.opp_ftm_raw END              AS opp_ftm,
    CASE WHEN p.opp_complete_counts THEN p.opp_fta_raw END              AS opp_fta,
    CASE WHEN p.opp_complete_counts AND p.opp_fga_raw > 0
         THEN (p.opp_fgm_raw + 0.5 * p.opp_fg3m_raw) / p.opp_fga_raw END AS opp_efg_pct,
    -- share of points allowed by zone (2s / 3s / free throws)
    CASE WHEN p.opp_complete_counts AND p.opp_points_box > 0
         THEN 2.0 * (p.opp_fgm_raw - p.opp_fg3m_raw) / p.opp_points_box END AS opp_pts_share_2,
    CASE WHEN p.opp_complete_counts AND p.opp_points_box > 0
         THEN 3.0 * p.opp_fg3m_raw / p.opp_points_box END                  AS opp_pts_share_3,
    CASE WHEN p.opp_complete_counts AND p.opp_points_box > 0
         THEN 1.0 * p.opp_ftm_raw / p.opp_points_box END                   AS opp_pts_share_ft,
    p.game_minutes,
    coalesce(p.box_possessions, (p.points + p.opp_points_box) / 2.0 / $points_per_possession)
                                                          AS possessions,
    CASE WHEN p.box_possessions IS NOT NULL THEN 'box' ELSE 'points_proxy' END AS pace_method,
    48.0 * coalesce(p.box_possessions, (p.points + p.opp_points_box) / 2.0 / $points_per_possession)
        / p.game_minutes                                  AS pace,
    100.0 * coalesce(CASE WHEN p.is_home THEN s.away_pts ELSE s.home_pts END, p.opp_points_box)
        / coalesce(p.box_possessions, (p.points + p.opp_points_box) / 2.0 / $points_per_possession)
                                                          AS defensive_rating
FROM paired p
LEFT JOIN schedule s ON s.game_code = p.game_code
