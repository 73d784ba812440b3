-- audit player_game_summary: team-games whose players' points do not add up to the team's
-- final score in the schedule.  Empty = pass (100% of real team-games, every season).
WITH team_points AS (
    SELECT game_date, game_code, team, sum(points) AS points
    FROM player_game_summary
    GROUP BY game_date, game_code, team
)
SELECT t.game_date, t.game_code, t.team, t.points,
       CASE t.team WHEN s.home_team THEN s.home_pts WHEN s.away_team THEN s.away_pts END AS final_score
FROM team_points t
LEFT JOIN schedule s ON s.game_code = t.game_code
WHERE t.points IS DISTINCT FROM
      (CASE t.team WHEN s.home_team THEN s.home_pts WHEN s.away_team THEN s.away_pts END)
