-- audit team_defense_game_summary: each game must have exactly two sides that mirror each
-- other (what one allows, the other scores).  Empty = pass.
SELECT d.game_date, d.game_code, d.team
FROM team_defense_game_summary d
LEFT JOIN team_defense_game_summary o ON o.game_code = d.game_code AND o.team = d.opponent
WHERE o.team IS NULL
   OR o.points_scored <> d.points_allowed    -- the box sum must equal the official score
   OR d.possessions <= 0
