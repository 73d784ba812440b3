-- audit player_game_summary: team points = the schedule's final score (audit_rules/box_team_points.sql).
-- uses: box_team_points
WITH box AS (SELECT game_date, game_code, team, points FROM player_game_summary)
SELECT * FROM box_team_points
