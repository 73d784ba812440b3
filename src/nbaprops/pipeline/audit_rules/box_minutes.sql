-- shared audit rule (inlined by audits that say `-- uses: box_minutes`): players credited
-- with more minutes than the game lasted.  Reads `box` (game_date, game_code, team,
-- player_id, minutes), a CTE of the audit.
-- A game lasts 48 minutes plus 5 per overtime; the overtimes are read from the team with
-- fewer summed minutes (five players on court: team minutes / 5 = game length, minutes are
-- whole numbers), so one inflated row cannot stretch the game it is checked against.
-- Empty = pass.  Holds on every real season (max 65 minutes, in a 4-overtime game).
WITH team_minutes AS (
    SELECT game_code, team, sum(minutes) AS minutes
    FROM box
    GROUP BY game_code, team
),
game_length AS (
    SELECT game_code, 48 + 5 * greatest(0, round((min(minutes) / 5 - 48) / 5)) AS minutes
    FROM team_minutes
    GROUP BY game_code
)
SELECT b.game_date, b.game_code, b.player_id, b.minutes, g.minutes AS game_minutes
FROM box b
JOIN game_length g ON g.game_code = b.game_code
WHERE b.minutes > g.minutes
