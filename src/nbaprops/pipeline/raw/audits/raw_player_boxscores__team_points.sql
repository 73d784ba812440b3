-- audit raw_player_boxscores: team points = the schedule's final score (audit_rules/box_team_points.sql).
-- uses: box_team_points
WITH box AS (SELECT game_date, game_code, team, pts AS points FROM raw_player_boxscores)
SELECT * FROM box_team_points
