-- shared audit rule (inlined by audits that say `-- uses: box_team_points`): team-games whose
-- players' points do not add up to the team's final score in the schedule (or whose game is
-- not in the schedule).  Reads `box` (game_date, game_code, team, points), a CTE of the audit.
-- Empty = pass.  Holds on 100% of the 22,998 real team-games (2017-18 .. 2025-26).
WITH team_totals AS (
    SELECT game_date, game_code, team, sum(points) AS points
    FROM box
    GROUP BY game_date, game_code, team
)
SELECT t.game_date, t.game_code, t.team, t.points,
       CASE t.team WHEN s.home_team THEN s.home_pts WHEN s.away_team THEN s.away_pts END AS final_score
FROM team_totals t
LEFT JOIN schedule s ON s.game_code = t.game_code
WHERE t.points IS DISTINCT FROM
      (CASE t.team WHEN s.home_team THEN s.home_pts WHEN s.away_team THEN s.away_pts END)
