-- audit player_game_summary: players credited with more minutes than the game lasted
-- (48 + 5 per overtime, overtimes read from the team with fewer summed minutes; see
-- raw/audits/raw_player_boxscores__minutes.sql).  Empty = pass.
WITH team_minutes AS (
    SELECT game_code, team, sum(minutes) AS minutes
    FROM player_game_summary
    GROUP BY game_code, team
),
game_length AS (
    SELECT game_code, 48 + 5 * greatest(0, round((min(minutes) / 5 - 48) / 5)) AS minutes
    FROM team_minutes
    GROUP BY game_code
)
SELECT p.game_date, p.game_code, p.player_id, p.minutes, g.minutes AS game_minutes
FROM player_game_summary p
JOIN game_length g ON g.game_code = p.game_code
WHERE p.minutes > g.minutes
